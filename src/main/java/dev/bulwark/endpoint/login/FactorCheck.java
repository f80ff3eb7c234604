package dev.bulwark.endpoint.login;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.identity.login.LoginName;
import dev.bulwark.identity.login.LoginThrottle;
import dev.bulwark.identity.login.ThrottleDecision;
import dev.bulwark.store.Account;
import java.util.function.Consumer;

/**
 * The login API's second-factor checks behind the throttle (the checks themselves are {@link
 * dev.bulwark.identity.totp.AccountFactors}). {@link #fresh} is what the self-service operations
 * ask before a change to the second factor, so a code used at login moments before is refused as
 * replayed.
 */
final class FactorCheck {
  private FactorCheck() {}

  /**
   * Runs {@code then} for the calling account once it showed a fresh second factor; an account
   * without TOTP answers 409, a caller without a valid access token 401.
   */
  static void forEnrolledCaller(
      Exchange ex, LoginServices s, JsonNode body, Consumer<Account> then) {
    AccountCallers.resolve(
        ex,
        s,
        (a, session) -> {
          if (!a.totpEnrolled()) {
            LoginEndpoint.deny(ex, LoginEndpoint.NOT_ENROLLED);
            return;
          }
          fresh(ex, s, a, body, () -> then.accept(a));
        });
  }

  /** Returns the throttle's view of an attempt by this exchange at this account. */
  static LoginThrottle.Attempt attempt(Exchange ex, LoginServices s, Account a) {
    LoginName parsed = LoginName.parse(a.loginName()).name();
    LoginName name = parsed != null ? parsed : LoginName.unreadable(a.loginName());
    return new LoginThrottle.Attempt(ex.requestId(), ex.clientAddress(), s.route(), name);
  }

  /**
   * Runs {@code then} once the body's {@code code} or {@code recovery_code} (the contract requires
   * one) proved the account's second factor; otherwise answers 429 (throttled) or 401 {@code
   * invalid_code} (counted, reported as {@code mfa-failed}).
   */
  static void fresh(Exchange ex, LoginServices s, Account a, JsonNode body, Runnable then) {
    String code = LoginEndpoint.text(body, "code");
    String recovery = LoginEndpoint.text(body, "recovery_code");
    LoginThrottle.Factor factor =
        code != null ? LoginThrottle.Factor.TOTP : LoginThrottle.Factor.RECOVERY_CODE;
    String given = code != null ? code : recovery == null ? "" : recovery;
    LoginThrottle.Attempt attempt = attempt(ex, s, a);
    ThrottleDecision d = s.throttle().check(attempt, factor);
    Runnable check =
        () ->
            LoginEndpoint.after(
                ex,
                factor == LoginThrottle.Factor.TOTP
                    ? s.factors().totp(a.id(), given)
                    : s.factors().recovery(a.id(), given),
                (ok, e) -> {
                  if (e != null) {
                    LoginEndpoint.unavailable(ex, e);
                  } else if (ok) {
                    then.run();
                  } else {
                    wrong(ex, s, attempt, factor);
                  }
                });
    switch (d.action()) {
      case REFUSE -> LoginEndpoint.retryLater(ex, LoginEndpoint.THROTTLED, d.retryAfterSeconds());
      case DELAY -> LoginEndpoint.hold(ex, d.after().toMillis(), check);
      default -> check.run();
    }
  }

  /** Counts a wrong code against the throttle and answers 401 {@code invalid_code}. */
  static void wrong(
      Exchange ex, LoginServices s, LoginThrottle.Attempt attempt, LoginThrottle.Factor factor) {
    LoginEndpoint.after(
        ex,
        s.throttle().failed(attempt, factor),
        (next, e) -> LoginEndpoint.deny(ex, LoginEndpoint.INVALID_CODE));
  }
}
