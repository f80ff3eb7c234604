package dev.bulwark.endpoint.login;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.identity.login.LoginName;
import dev.bulwark.identity.login.LoginThrottle;
import dev.bulwark.identity.login.ThrottleDecision;
import dev.bulwark.identity.totp.RecoveryCodes;
import dev.bulwark.identity.totp.TotpCheck;
import dev.bulwark.identity.totp.TotpSecret;
import dev.bulwark.store.Account;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Checks an account's second factor: a TOTP code of a step later than the last one accepted (the
 * account store takes the step once, on every gateway), or one of its unused recovery codes (used
 * up once). {@link #fresh} is what the self-service operations ask before a change to the second
 * factor: the same check behind the second-factor throttle counters, so a code used at login
 * moments before is refused as replayed.
 */
final class FactorCheck {
  private FactorCheck() {}

  /** Completes with whether the code is the account's, of a step not accepted before. */
  static CompletionStage<Boolean> totp(LoginServices s, String account, String code) {
    return s.accounts()
        .totp(account)
        .thenCompose(
            stored -> {
              if (stored.isEmpty()) {
                return CompletableFuture.completedFuture(false);
              }
              TotpCheck check =
                  s.totp()
                      .verify(
                          TotpSecret.of(stored.get().secret()),
                          code,
                          s.clock().instant(),
                          stored.get().lastAcceptedStep());
              return check.accepted()
                  ? s.accounts().acceptTotpStep(account, check.step())
                  : CompletableFuture.completedFuture(false);
            });
  }

  /** Completes with whether the code was one of the account's unused recovery codes. */
  static CompletionStage<Boolean> recovery(LoginServices s, String account, String code) {
    return s.accounts()
        .recoveryCodes(account)
        .thenCompose(
            hashes -> {
              RecoveryCodes.Redemption r = RecoveryCodes.redeem(hashes, code);
              if (!r.accepted()) {
                return CompletableFuture.completedFuture(false);
              }
              List<String> used = new ArrayList<>(hashes);
              for (String kept : r.remaining()) {
                used.remove(kept);
              }
              return used.size() == 1
                  ? s.accounts().consumeRecoveryCode(account, used.get(0))
                  : CompletableFuture.completedFuture(false);
            });
  }

  /** Returns the throttle's view of an attempt by this exchange at this account. */
  static LoginThrottle.Attempt attempt(Exchange ex, LoginServices s, Account a) {
    LoginName parsed = LoginName.parse(a.loginName()).name();
    LoginName name = parsed != null ? parsed : PasswordLogin.unreadable(a.loginName());
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
                    ? totp(s, a.id(), given)
                    : recovery(s, a.id(), given),
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
