package dev.bulwark.endpoint.login;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.identity.login.LoginThrottle;
import dev.bulwark.identity.login.ThrottleDecision;
import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStatus;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST mfa}: uses up the {@code mfa_token} (any attempt does), then checks a TOTP code
 * (accepted once: the account store takes its step only if later than the last one, on every
 * gateway) or a recovery code (used up once), throttled per address and account with the
 * second-factor counters; a success signs in with amr {@code ["pwd","otp"]} (TOTP) or {@code
 * ["pwd","mfa"]} (a recovery code: two factors, no authenticator). A wrong code answers 401 {@code
 * invalid_code} with a fresh {@code mfa_token} while the login has tries left.
 */
final class SecondFactor {
  /** A TOTP code after the password. */
  static final List<String> TOTP = List.of("pwd", "otp");

  /** A recovery code after the password. */
  static final List<String> RECOVERY = List.of("pwd", "mfa");

  private final LoginServices s;

  SecondFactor(LoginServices services) {
    this.s = services;
  }

  void run(Exchange ex, JsonNode body) {
    String token = Objects.requireNonNullElse(LoginEndpoint.text(body, "mfa_token"), "");
    String code = LoginEndpoint.text(body, "code");
    String recovery = LoginEndpoint.text(body, "recovery_code");
    LoginThrottle.Factor factor =
        code != null ? LoginThrottle.Factor.TOTP : LoginThrottle.Factor.RECOVERY_CODE;
    String given = code != null ? code : Objects.requireNonNullElse(recovery, "");
    LoginEndpoint.after(
        ex,
        s.challenges().consume(token),
        (challenge, failure) -> {
          if (failure != null) {
            LoginEndpoint.unavailable(ex, failure);
            return;
          }
          if (challenge.isEmpty()) {
            refusedToken(ex, factor);
            return;
          }
          MfaChallenges.Challenge c = challenge.get();
          LoginEndpoint.after(
              ex,
              s.accounts().byId(c.account()),
              (account, e) -> {
                if (e != null) {
                  LoginEndpoint.unavailable(ex, e);
                } else if (account.isEmpty() || account.get().status() != AccountStatus.ACTIVE) {
                  refusedToken(ex, factor);
                } else {
                  throttled(ex, account.get(), c, factor, given);
                }
              });
        });
  }

  private void refusedToken(Exchange ex, LoginThrottle.Factor factor) {
    s.security()
        .publish(
            SecurityEvent.loginAttempt(
                SecurityEventKind.MFA_FAILED,
                ex.requestId(),
                ex.clientAddress(),
                s.route(),
                "-",
                factor.wireName(),
                0));
    LoginEndpoint.deny(ex, LoginEndpoint.INVALID_MFA_TOKEN);
  }

  private void throttled(
      Exchange ex,
      Account a,
      MfaChallenges.Challenge c,
      LoginThrottle.Factor factor,
      String given) {
    LoginThrottle.Attempt attempt = FactorCheck.attempt(ex, s, a);
    ThrottleDecision d = s.throttle().check(attempt, factor);
    switch (d.action()) {
      case REFUSE ->
          // The token is used up; the login may come back with its successor once the wait is over.
          LoginEndpoint.after(
              ex,
              s.challenges().next(c),
              (next, e) -> {
                String details =
                    next == null || next.isEmpty()
                        ? ""
                        : "\"mfa_token\":\"" + next.get().token() + "\"";
                LoginEndpoint.retryLater(
                    ex, LoginEndpoint.THROTTLED.withDetails(details), d.retryAfterSeconds());
              });
      case DELAY ->
          LoginEndpoint.hold(
              ex, d.after().toMillis(), () -> check(ex, a, c, attempt, factor, given));
      default -> check(ex, a, c, attempt, factor, given);
    }
  }

  private void check(
      Exchange ex,
      Account a,
      MfaChallenges.Challenge c,
      LoginThrottle.Attempt attempt,
      LoginThrottle.Factor factor,
      String given) {
    CompletionStage<Boolean> accepted =
        factor == LoginThrottle.Factor.TOTP
            ? s.factors().totp(a.id(), given)
            : s.factors().recovery(a.id(), given);
    LoginEndpoint.after(
        ex,
        accepted,
        (ok, e) -> {
          if (e != null) {
            LoginEndpoint.unavailable(ex, e);
          } else if (ok) {
            s.throttle().succeeded(attempt, factor);
            PasswordLogin.signIn(ex, s, a, factor == LoginThrottle.Factor.TOTP ? TOTP : RECOVERY);
          } else {
            wrong(ex, c, attempt, factor);
          }
        });
  }

  private void wrong(
      Exchange ex,
      MfaChallenges.Challenge c,
      LoginThrottle.Attempt attempt,
      LoginThrottle.Factor factor) {
    LoginEndpoint.after(
        ex,
        s.throttle().failed(attempt, factor).thenCompose(d -> s.challenges().next(c)),
        (next, e) -> {
          if (e != null) {
            LoginEndpoint.unavailable(ex, e);
            return;
          }
          LoginEndpoint.deny(
              ex,
              next.isEmpty()
                  ? LoginEndpoint.INVALID_CODE
                  : LoginEndpoint.INVALID_CODE.withDetails(
                      "\"mfa_token\":\"" + next.get().token() + "\""));
        });
  }
}
