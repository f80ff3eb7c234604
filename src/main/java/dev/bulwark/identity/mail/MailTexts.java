package dev.bulwark.identity.mail;

import java.time.Duration;

/**
 * The plain-text mails Bulwark sends, as documented in docs/identity.md. They name the account's
 * login name (the mail goes to the account's own address) and never the display name, which anyone
 * with admin rights may have set to anything; links carry the token in the fragment ({@code
 * #token=}), which browsers send to no server, so the token never reaches an access log or a {@code
 * Referer}.
 */
final class MailTexts {
  private MailTexts() {}

  static final String RESET_SUBJECT = "Reset your password";
  static final String VERIFY_SUBJECT = "Confirm your email address";
  static final String INVITE_SUBJECT = "Your new account";

  static String reset(String login, String link, Duration ttl) {
    return "Someone asked to reset the password of your account "
        + login
        + ".\r\n\r\nTo choose a new password, open this link within "
        + words(ttl)
        + ":\r\n\r\n"
        + link
        + "\r\n\r\nThe link works once. If you did not ask for this, ignore this mail: your"
        + " password stays as it is.\r\n";
  }

  static String verify(String login, String link, Duration ttl) {
    return "Please confirm that this address belongs to the account "
        + login
        + " by opening this link within "
        + words(ttl)
        + ":\r\n\r\n"
        + link
        + "\r\n\r\nIf you did not expect this mail, ignore it.\r\n";
  }

  static String invite(String login, String link, Duration ttl) {
    return "An account "
        + login
        + " was created for you. To choose its password, open this link within "
        + words(ttl)
        + ":\r\n\r\n"
        + link
        + "\r\n\r\nIf you did not expect this invitation, ignore this mail.\r\n";
  }

  /** Says a duration the way a person reads it: 15 minutes, 24 hours, 7 days. */
  static String words(Duration d) {
    long s = d.toSeconds();
    if (s % 86_400 == 0) {
      return plural(s / 86_400, "day");
    }
    if (s % 3600 == 0) {
      return plural(s / 3600, "hour");
    }
    if (s % 60 == 0) {
      return plural(s / 60, "minute");
    }
    return plural(s, "second");
  }

  private static String plural(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }
}
