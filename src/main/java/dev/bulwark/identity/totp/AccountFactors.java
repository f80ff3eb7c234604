package dev.bulwark.identity.totp;

import static java.util.Objects.requireNonNull;

import dev.bulwark.store.AccountStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Checks an account's second factor against the account store, once: a TOTP code of a step later
 * than the last one accepted (the store takes the step with a compare-and-set, so on every gateway
 * a code is accepted once), or one of its unused recovery codes (used up, of two parallel uses one
 * wins). Shared by the login API and the dashboard's sign-in; the throttle stays the caller's.
 */
public final class AccountFactors {
  private final AccountStore accounts;
  private final TotpVerifier verifier;
  private final Clock clock;

  public AccountFactors(AccountStore accounts, TotpVerifier verifier, Clock clock) {
    this.accounts = requireNonNull(accounts, "accounts");
    this.verifier = requireNonNull(verifier, "verifier");
    this.clock = requireNonNull(clock, "clock");
  }

  /** Completes with whether the code is the account's, of a step not accepted before. */
  public CompletionStage<Boolean> totp(String account, String code) {
    return accounts
        .totp(account)
        .thenCompose(
            stored -> {
              if (stored.isEmpty()) {
                return CompletableFuture.completedFuture(false);
              }
              TotpCheck check =
                  verifier.verify(
                      TotpSecret.of(stored.get().secret()),
                      code,
                      clock.instant(),
                      stored.get().lastAcceptedStep());
              return check.accepted()
                  ? accounts.acceptTotpStep(account, check.step())
                  : CompletableFuture.completedFuture(false);
            });
  }

  /** Completes with whether the code was one of the account's unused recovery codes. */
  public CompletionStage<Boolean> recovery(String account, String code) {
    return accounts
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
                  ? accounts.consumeRecoveryCode(account, used.get(0))
                  : CompletableFuture.completedFuture(false);
            });
  }
}
