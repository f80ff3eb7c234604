package dev.bulwark.endpoint.login;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The settings of a route that serves the login API ({@code login:} beside {@code serve: login}).
 *
 * @param mfaTokenTtl how long an {@code mfa_token} handed out after the password stays usable
 */
public record LoginSettings(Duration mfaTokenTtl) {
  /** Five minutes to type a code. */
  public static final LoginSettings DEFAULTS = new LoginSettings(Duration.ofMinutes(5));

  public LoginSettings {
    requireNonNull(mfaTokenTtl, "mfaTokenTtl");
  }
}
