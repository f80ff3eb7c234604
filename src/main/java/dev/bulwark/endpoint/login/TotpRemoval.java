package dev.bulwark.endpoint.login;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.store.Account;
import java.util.List;

/**
 * {@code POST totp/disable}: with a valid access token and a second factor not used before (a TOTP
 * code of a later step than the last accepted, or an unused recovery code, which is used up), the
 * account's TOTP secret and recovery codes are removed and every session of the account is revoked,
 * the caller's included: a session signed in with {@code otp} would otherwise keep minting access
 * tokens whose {@code amr} names a factor the account no longer has. Answers 200 with how many
 * sessions ended; an account without TOTP answers 409.
 */
final class TotpRemoval {
  private final LoginServices s;

  TotpRemoval(LoginServices services) {
    this.s = services;
  }

  void run(Exchange ex, JsonNode body) {
    FactorCheck.forEnrolledCaller(ex, s, body, a -> remove(ex, a));
  }

  private void remove(Exchange ex, Account a) {
    LoginEndpoint.after(
        ex,
        s.accounts()
            .removeTotp(a.id())
            .thenCompose(x -> s.accounts().replaceRecoveryCodes(a.id(), List.of()))
            .thenCompose(
                x ->
                    s.tokens()
                        .revokeAll(a.id(), LoginEndpoint.origin(ex), "second-factor-removed")),
        (revoked, failure) -> {
          if (failure != null) {
            LoginEndpoint.unavailable(ex, failure);
            return;
          }
          s.security().publish(TotpEnrolment.event(ex, SecurityEventKind.SECOND_FACTOR_REMOVED, a));
          ObjectNode o = LoginEndpoint.object();
          o.put("sessions_revoked", revoked);
          LoginEndpoint.ok(ex, o);
        });
  }
}
