package dev.bulwark.endpoint.login;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.identity.totp.RecoveryCodes;
import dev.bulwark.store.Account;
import java.security.SecureRandom;

/**
 * {@code POST totp/recovery-codes}: with a valid access token and a second factor not used before,
 * the account's recovery codes are replaced by ten new ones, stored hashed and answered once; the
 * old ones stop working. An account without TOTP answers 409.
 */
final class RecoveryCodeRenewal {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final LoginServices s;

  RecoveryCodeRenewal(LoginServices services) {
    this.s = services;
  }

  void run(Exchange ex, JsonNode body) {
    FactorCheck.forEnrolledCaller(ex, s, body, a -> replace(ex, a));
  }

  private void replace(Exchange ex, Account a) {
    RecoveryCodes.Issued codes = RecoveryCodes.issue(RANDOM);
    LoginEndpoint.after(
        ex,
        s.accounts().replaceRecoveryCodes(a.id(), codes.hashes()),
        (exists, failure) -> {
          if (failure != null) {
            LoginEndpoint.unavailable(ex, failure);
          } else if (!exists) {
            LoginEndpoint.invalidToken(ex); // the account was deleted meanwhile
          } else {
            s.security()
                .publish(TotpEnrolment.event(ex, SecurityEventKind.RECOVERY_CODES_REPLACED, a));
            LoginEndpoint.ok(ex, TotpConfirmation.recoveryCodes(codes));
          }
        });
  }
}
