package dev.bulwark.endpoint.login;

import dev.bulwark.exchange.Exchange;
import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStatus;
import java.util.function.BiConsumer;

/**
 * The account behind an {@code Authorization: Bearer} access token of this gateway, as the
 * self-service operations need it: the token checked as for "sign out everywhere" ({@link
 * OwnAccessTokens}), then the account read and required to be active. Every refusal (no header, a
 * malformed, forged, expired or revoked token, an account gone or disabled) answers the same 401
 * {@code invalid_token} with its Bearer challenge.
 */
final class AccountCallers {
  private static final String BEARER = "bearer ";

  private AccountCallers() {}

  /** Hands {@code then} the caller's active account and session, on the exchange's loop. */
  static void resolve(Exchange ex, LoginServices s, BiConsumer<Account, String> then) {
    String auth = ex.request().header("authorization");
    if (auth == null || !auth.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      LoginEndpoint.invalidToken(ex);
      return;
    }
    s.accessTokens()
        .caller(
            auth.substring(BEARER.length()).trim(),
            caller ->
                ex.resume(
                    () -> {
                      if (caller == null) {
                        LoginEndpoint.invalidToken(ex);
                        return;
                      }
                      LoginEndpoint.after(
                          ex,
                          s.accounts().byId(caller.account()),
                          (account, failure) -> {
                            if (failure != null) {
                              LoginEndpoint.unavailable(ex, failure);
                            } else if (account.isEmpty()
                                || account.get().status() != AccountStatus.ACTIVE) {
                              LoginEndpoint.invalidToken(ex);
                            } else {
                              then.accept(account.get(), caller.session());
                            }
                          });
                    }));
  }
}
