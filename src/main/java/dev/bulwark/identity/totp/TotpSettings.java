package dev.bulwark.identity.totp;

import static java.util.Objects.requireNonNull;

/**
 * The TOTP settings ({@code identity.totp}).
 *
 * @param issuer the name authenticator apps show beside the account ({@code Bulwark} by default)
 * @param skewSteps how many 30-second steps before and after now a code may belong to (0..2)
 */
public record TotpSettings(String issuer, int skewSteps) {
  /** Issuer {@code Bulwark}, one step either side. */
  public static final TotpSettings DEFAULTS = new TotpSettings("Bulwark", 1);

  /** The most steps of skew allowed: each step widens the guessing window by two codes. */
  public static final int MAX_SKEW_STEPS = 2;

  public TotpSettings {
    requireNonNull(issuer, "issuer");
    if (issuer.isBlank() || issuer.length() > 64 || issuer.indexOf(':') >= 0) {
      throw new IllegalArgumentException(
          "issuer: " + issuer + " (expected: 1..64 characters without a colon)");
    }
    if (skewSteps < 0 || skewSteps > MAX_SKEW_STEPS) {
      throw new IllegalArgumentException(
          "skewSteps: " + skewSteps + " (expected: 0.." + MAX_SKEW_STEPS + ")");
    }
  }
}
