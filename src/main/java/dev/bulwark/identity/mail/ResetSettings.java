package dev.bulwark.identity.mail;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The {@code identity.reset} section: how long the tokens of each kind of mail stay valid, and how
 * many reset mails one login name and one client address may ask for in a window.
 *
 * @param ttl how long a password-reset token is valid
 * @param verifyTtl how long an email-verification token is valid
 * @param inviteTtl how long an invitation (a token that sets the first password) is valid
 * @param window the window the two counts below are counted in
 * @param perLogin reset mails one login name may receive in a window (more requests send nothing)
 * @param perAddress reset requests one client address may make in a window (more get {@code 429})
 */
public record ResetSettings(
    Duration ttl,
    Duration verifyTtl,
    Duration inviteTtl,
    Duration window,
    int perLogin,
    int perAddress) {

  /**
   * The defaults: 15 minutes, 24 hours, 7 days; 3 mails per login and 10 requests per address an
   * hour.
   */
  public static final ResetSettings DEFAULTS =
      new ResetSettings(
          Duration.ofMinutes(15),
          Duration.ofHours(24),
          Duration.ofDays(7),
          Duration.ofHours(1),
          3,
          10);

  /** At most this many tokens of one purpose are kept per account (the oldest are dropped). */
  public static final int TOKENS_PER_ACCOUNT = 5;

  public ResetSettings {
    requireNonNull(ttl, "ttl");
    requireNonNull(verifyTtl, "verifyTtl");
    requireNonNull(inviteTtl, "inviteTtl");
    requireNonNull(window, "window");
    if (perLogin < 1 || perAddress < 1) {
      throw new IllegalArgumentException(
          "per-login, per-address: " + perLogin + ", " + perAddress + " (expected: > 0)");
    }
  }
}
