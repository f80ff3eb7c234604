/**
 * The gateway as a token issuer: its signing keys (rotated, kept in the store, published in the
 * admin listener's JWKS), short-lived access JWTs, and opaque refresh tokens in families that
 * rotate on every use with reuse detection and revocation. Policy-free: the login endpoints call
 * {@link dev.bulwark.identity.tokens.TokenService}, and the bearer provider verifies access tokens
 * against {@link dev.bulwark.identity.tokens.LocalIssuer} without any network fetch.
 */
@NullMarked
package dev.bulwark.identity.tokens;

import org.jspecify.annotations.NullMarked;
