/**
 * The JSON login API a route serves with {@code serve: login}: password login, the second factor,
 * refresh and sign-out, an account's own TOTP enrolment and removal, wiring the identity services
 * (passwords, TOTP, the login throttle, tokens) to the account store, behind the OpenAPI contract
 * shipped with it ({@code openapi/login.yaml}).
 */
@NullMarked
package dev.bulwark.endpoint.login;

import org.jspecify.annotations.NullMarked;
