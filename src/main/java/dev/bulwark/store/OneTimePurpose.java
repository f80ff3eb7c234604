package dev.bulwark.store;

import java.util.Locale;

/**
 * What a one-time token proves when it comes back: a password reset, an email verification, or an
 * invitation (an account made without a password, whose owner sets one).
 */
public enum OneTimePurpose {
  PASSWORD_RESET,
  EMAIL_VERIFICATION,
  INVITATION;

  /** Returns the name stored beside the token ({@code password-reset}, ...). */
  public String code() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
