package dev.bulwark.store;

import static java.util.Objects.requireNonNull;

/**
 * An account's enrolled TOTP secret (opaque bytes) and the last time step a code was accepted for
 * ({@code -1} before the first), so a code is accepted once.
 */
public record TotpSecret(byte[] secret, long lastAcceptedStep) {
  public TotpSecret {
    requireNonNull(secret, "secret");
    secret = secret.clone();
  }

  /** Returns a copy of the secret. */
  @Override
  public byte[] secret() {
    return secret.clone();
  }

  /** Never shows the secret. */
  @Override
  public String toString() {
    return "TotpSecret[" + secret.length + " bytes, last step " + lastAcceptedStep + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TotpSecret t
        && java.util.Arrays.equals(secret, t.secret)
        && lastAcceptedStep == t.lastAcceptedStep;
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(secret) * 31 + Long.hashCode(lastAcceptedStep);
  }
}
