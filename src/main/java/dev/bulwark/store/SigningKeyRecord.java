package dev.bulwark.store;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * One token-signing key as the store keeps it: its id, algorithm, public JWK, private JWK (only in
 * the process that may sign with it, or sealed in an embedded data directory), when it was made,
 * until when it signs, and until when it stays published (until every token it signed has expired).
 * Times in epoch milliseconds.
 */
public record SigningKeyRecord(
    String kid,
    String algorithm,
    String publicJwk,
    @Nullable String privateJwk,
    long createdMillis,
    long signUntilMillis,
    long publishUntilMillis) {
  public SigningKeyRecord {
    requireNonNull(kid, "kid");
    requireNonNull(algorithm, "algorithm");
    requireNonNull(publicJwk, "publicJwk");
  }

  /** Returns the record without its private part (what other gateways see). */
  public SigningKeyRecord publicOnly() {
    return new SigningKeyRecord(
        kid, algorithm, publicJwk, null, createdMillis, signUntilMillis, publishUntilMillis);
  }

  /** Returns whether the key is still published at {@code nowMillis}. */
  public boolean publishedAt(long nowMillis) {
    return publishUntilMillis > nowMillis;
  }

  @Override
  public String toString() {
    return "SigningKeyRecord[" + kid + ", " + algorithm + "]"; // never the private key
  }
}
