package dev.bulwark.config;

/**
 * A route setting that brings its own credential, checked without a token issuer (signed requests
 * with the route's own keys); lets the access checks accept a protected route without issuers
 * without naming the policy that verifies the credential.
 */
public interface IssuerlessCredential {
  /** Returns whether this route authenticates requests without a token issuer. */
  boolean authenticatesWithoutIssuer();
}
