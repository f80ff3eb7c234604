package dev.bulwark.endpoint.login;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.identity.login.LoginThrottle;
import dev.bulwark.identity.login.ThrottleDecision;
import dev.bulwark.identity.totp.RecoveryCodes;
import dev.bulwark.identity.totp.TotpCheck;
import dev.bulwark.identity.totp.TotpSecret;
import dev.bulwark.identity.totp.TotpVerifier;
import dev.bulwark.store.Account;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST totp/confirm}: the caller's {@code enrolment_token} and a code of its secret (behind
 * the second-factor throttle; a wrong code leaves the token usable) turn the enrolment on: the
 * token is used up, the secret enrolled with the code's step as the last one accepted (so the same
 * code cannot then complete a login), and ten recovery codes issued, stored hashed and answered
 * once. A token unknown, used, expired, edited or another account's answers 401 {@code
 * invalid_enrolment_token}; an account that meanwhile got TOTP answers 409.
 */
final class TotpConfirmation {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final LoginServices s;

  TotpConfirmation(LoginServices services) {
    this.s = services;
  }

  void run(Exchange ex, JsonNode body) {
    String token = Objects.requireNonNullElse(LoginEndpoint.text(body, "enrolment_token"), "");
    String code = Objects.requireNonNullElse(LoginEndpoint.text(body, "code"), "");
    AccountCallers.resolve(
        ex,
        s,
        (a, session) -> {
          TotpSecret secret = s.enrolments().secret(token);
          if (secret == null) {
            LoginEndpoint.deny(ex, LoginEndpoint.INVALID_ENROLMENT_TOKEN);
            return;
          }
          LoginThrottle.Attempt attempt = FactorCheck.attempt(ex, s, a);
          ThrottleDecision d = s.throttle().check(attempt, LoginThrottle.Factor.TOTP);
          switch (d.action()) {
            case REFUSE ->
                LoginEndpoint.retryLater(ex, LoginEndpoint.THROTTLED, d.retryAfterSeconds());
            case DELAY ->
                LoginEndpoint.hold(
                    ex, d.after().toMillis(), () -> check(ex, a, attempt, token, secret, code));
            default -> check(ex, a, attempt, token, secret, code);
          }
        });
  }

  private void check(
      Exchange ex,
      Account a,
      LoginThrottle.Attempt attempt,
      String token,
      TotpSecret secret,
      String code) {
    TotpCheck check = s.totp().verify(secret, code, s.clock().instant(), TotpVerifier.NEVER);
    if (!check.accepted()) {
      FactorCheck.wrong(ex, s, attempt, LoginThrottle.Factor.TOTP);
      return;
    }
    LoginEndpoint.after(
        ex,
        s.enrolments().consume(a.id(), token),
        (used, failure) -> {
          if (failure != null) {
            LoginEndpoint.unavailable(ex, failure);
          } else if (!used) {
            LoginEndpoint.deny(ex, LoginEndpoint.INVALID_ENROLMENT_TOKEN);
          } else {
            enrol(ex, a, secret, check.step());
          }
        });
  }

  private void enrol(Exchange ex, Account caller, TotpSecret secret, long step) {
    RecoveryCodes.Issued codes = RecoveryCodes.issue(RANDOM);
    CompletionStage<Boolean> done =
        s.accounts()
            .byId(caller.id())
            .thenCompose(
                now -> {
                  if (now.isEmpty() || now.get().totpEnrolled()) {
                    return CompletableFuture.completedFuture(false);
                  }
                  return s.accounts()
                      .enrolTotp(caller.id(), secret.bytes())
                      .thenCompose(x -> s.accounts().acceptTotpStep(caller.id(), step))
                      .thenCompose(
                          x -> s.accounts().replaceRecoveryCodes(caller.id(), codes.hashes()))
                      .thenApply(x -> true);
                });
    LoginEndpoint.after(
        ex,
        done,
        (enrolled, failure) -> {
          if (failure != null) {
            LoginEndpoint.unavailable(ex, failure);
          } else if (!enrolled) {
            LoginEndpoint.deny(ex, LoginEndpoint.ALREADY_ENROLLED);
          } else {
            s.security()
                .publish(TotpEnrolment.event(ex, SecurityEventKind.SECOND_FACTOR_ENROLLED, caller));
            LoginEndpoint.ok(ex, recoveryCodes(codes));
          }
        });
  }

  /** Returns the answer that shows new recovery codes, once. */
  static ObjectNode recoveryCodes(RecoveryCodes.Issued codes) {
    ObjectNode o = LoginEndpoint.object();
    ArrayNode list = o.putArray("recovery_codes");
    codes.codes().forEach(list::add);
    return o;
  }
}
