package dev.bulwark.store;

import java.util.Locale;

/** What a one-time token proves when it comes back: a password reset or an email verification. */
public enum OneTimePurpose {
  PASSWORD_RESET,
  EMAIL_VERIFICATION;

  /** Returns the name stored beside the token ({@code password-reset}, ...). */
  public String code() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
