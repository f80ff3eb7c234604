package dev.bulwark.store;

import java.util.Locale;

/**
 * What a one-time token proves when it comes back: a password reset, an email verification, an
 * invitation (an account made without a password, whose owner sets one), a password already checked
 * by a login that now waits for its second factor, or a TOTP secret handed to its account that
 * waits for a first code to confirm it.
 */
public enum OneTimePurpose {
  PASSWORD_RESET,
  EMAIL_VERIFICATION,
  INVITATION,
  MFA_CHALLENGE,
  TOTP_ENROLMENT;

  /** Returns the name stored beside the token ({@code password-reset}, ...). */
  public String code() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
