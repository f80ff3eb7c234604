/**
 * The password-reset endpoint ({@code serve: password-reset}): asks for a reset mail without
 * telling whether the account exists, sets a new password with a mailed token, and verifies an
 * email address; its own OpenAPI contract is enforced in front of it.
 */
@NullMarked
package dev.bulwark.endpoint.reset;

import org.jspecify.annotations.NullMarked;
