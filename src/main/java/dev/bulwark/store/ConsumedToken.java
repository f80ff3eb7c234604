package dev.bulwark.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A one-time token that {@link AccountStore#takeToken} used up: the account it was issued for and
 * the expiry it was issued with, so that a use refused for a reason that is not the token's can
 * store it again without lengthening its life.
 */
public record ConsumedToken(String accountId, Instant expires) {
  /** Checks both parts. */
  public ConsumedToken {
    requireNonNull(accountId, "accountId");
    requireNonNull(expires, "expires");
  }
}
