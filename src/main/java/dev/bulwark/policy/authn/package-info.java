/**
 * Bearer JWT authentication: issuers, keys (JWKS, files, secrets), verification, and every route as
 * the forward-auth endpoint judges it.
 */
@NullMarked
package dev.bulwark.policy.authn;

import org.jspecify.annotations.NullMarked;
