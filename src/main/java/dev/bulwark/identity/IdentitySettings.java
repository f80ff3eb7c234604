package dev.bulwark.identity;

import static java.util.Objects.requireNonNull;

import dev.bulwark.identity.login.ThrottleSettings;
import dev.bulwark.identity.mail.MailSettings;
import dev.bulwark.identity.mail.ResetSettings;
import dev.bulwark.identity.password.PasswordSettings;
import dev.bulwark.identity.totp.TotpSettings;

/**
 * The built-in identity settings (the top-level {@code identity} section): passwords, TOTP, the
 * login throttle, outgoing mail, and password reset.
 *
 * @param passwords {@code identity.passwords}
 * @param totp {@code identity.totp}
 * @param loginThrottle {@code identity.login-throttle}
 * @param mail {@code identity.mail} ({@link MailSettings#OFF} when absent)
 * @param reset {@code identity.reset}
 */
public record IdentitySettings(
    PasswordSettings passwords,
    TotpSettings totp,
    ThrottleSettings loginThrottle,
    MailSettings mail,
    ResetSettings reset) {
  /** The defaults of every part. */
  public static final IdentitySettings DEFAULTS =
      new IdentitySettings(
          PasswordSettings.DEFAULTS, TotpSettings.DEFAULTS, ThrottleSettings.DEFAULTS);

  public IdentitySettings {
    requireNonNull(passwords, "passwords");
    requireNonNull(totp, "totp");
    requireNonNull(loginThrottle, "loginThrottle");
    requireNonNull(mail, "mail");
    requireNonNull(reset, "reset");
  }

  /** Settings without mail, and with the default reset settings. */
  public IdentitySettings(
      PasswordSettings passwords, TotpSettings totp, ThrottleSettings loginThrottle) {
    this(passwords, totp, loginThrottle, MailSettings.OFF, ResetSettings.DEFAULTS);
  }
}
