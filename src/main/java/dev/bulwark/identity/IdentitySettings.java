package dev.bulwark.identity;

import static java.util.Objects.requireNonNull;

import dev.bulwark.identity.login.ThrottleSettings;
import dev.bulwark.identity.password.PasswordSettings;
import dev.bulwark.identity.totp.TotpSettings;

/**
 * The built-in identity settings (the top-level {@code identity} section): passwords, TOTP and the
 * login throttle.
 *
 * @param passwords {@code identity.passwords}
 * @param totp {@code identity.totp}
 * @param loginThrottle {@code identity.login-throttle}
 */
public record IdentitySettings(
    PasswordSettings passwords, TotpSettings totp, ThrottleSettings loginThrottle) {
  /** The defaults of every part. */
  public static final IdentitySettings DEFAULTS =
      new IdentitySettings(
          PasswordSettings.DEFAULTS, TotpSettings.DEFAULTS, ThrottleSettings.DEFAULTS);

  public IdentitySettings {
    requireNonNull(passwords, "passwords");
    requireNonNull(totp, "totp");
    requireNonNull(loginThrottle, "loginThrottle");
  }
}
