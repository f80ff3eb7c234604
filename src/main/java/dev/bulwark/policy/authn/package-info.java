/** Bearer JWT authentication: issuers, keys (JWKS, files, secrets), verification, forward-auth. */
@NullMarked
package dev.bulwark.policy.authn;

import org.jspecify.annotations.NullMarked;
