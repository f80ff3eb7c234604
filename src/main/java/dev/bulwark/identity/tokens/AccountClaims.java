package dev.bulwark.identity.tokens;

import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * What a refresh asks the account store: the account's roles and memberships now (they may have
 * changed since sign-in), or null when the account is gone or disabled (the refresh is refused and
 * its session revoked).
 */
@FunctionalInterface
public interface AccountClaims {
  /** Completes with the account's current subject, or null when it may no longer sign in. */
  CompletionStage<@Nullable TokenSubject> current(String account);
}
