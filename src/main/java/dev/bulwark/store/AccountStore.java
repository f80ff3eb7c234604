package dev.bulwark.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Durable accounts: their personal data, their credentials' stored forms (a password hash, a TOTP
 * secret and the last step it accepted, recovery code hashes) and the one-time tokens that reset a
 * password or verify an email address. Every operation follows the package's async convention;
 * input beyond {@link StoredFieldLimits} completes exceptionally with {@link
 * IllegalArgumentException}, an unreachable backend with {@link StoreUnavailable}.
 *
 * <p>Where two gateways could race, the store decides atomically: one of two creations with the
 * same normalised login name wins, an update applies only to the version it was read at, a TOTP
 * step, a recovery code and a one-time token are each accepted once.
 */
public interface AccountStore {
  /**
   * Creates an account with a new random id; completes with it, or empty when its normalised login
   * name is taken.
   */
  CompletionStage<Optional<Account>> create(NewAccount account);

  /** Completes with the account of {@code id}, or empty (never created, or deleted). */
  CompletionStage<Optional<Account>> byId(String id);

  /**
   * Completes with the account whose normalised login name is {@code normalisedLogin}, or empty.
   */
  CompletionStage<Optional<Account>> byLogin(String normalisedLogin);

  /**
   * Completes with at most {@code limit} accounts in id order, starting after the cursor {@code
   * after} (empty for the first page).
   */
  CompletionStage<Page<Account>> list(String after, int limit);

  /**
   * Writes the email address, its verification, the display name, the status and the password hash
   * of {@code changed} if the stored account is still at {@code changed.version()}; completes with
   * the account as written (its version one higher), or empty when it changed meanwhile or is gone
   * (read it again and retry, or give up).
   */
  CompletionStage<Optional<Account>> update(Account changed);

  /**
   * Deletes an account: erases its login name, email address, display name and credentials, its
   * recovery codes, one-time tokens and memberships, and frees its login name; only its id, its
   * creation and deletion times remain (a tombstone, so audit records that name the id still refer
   * to something). Completes with whether there was such an account.
   */
  CompletionStage<Boolean> delete(String id);

  /**
   * Enrols {@code secret} as the account's TOTP secret (replacing any), with no step accepted yet;
   * completes with whether the account exists.
   */
  CompletionStage<Boolean> enrolTotp(String id, byte[] secret);

  /** Removes the account's TOTP secret; completes with whether one was enrolled. */
  CompletionStage<Boolean> removeTotp(String id);

  /** Completes with the account's TOTP secret and last accepted step, or empty when none. */
  CompletionStage<Optional<TotpSecret>> totp(String id);

  /**
   * Records that a code of time step {@code step} was accepted, if {@code step} is later than the
   * last accepted one (compare-and-set across every gateway on the store); completes with whether
   * it was, so a code is accepted once.
   */
  CompletionStage<Boolean> acceptTotpStep(String id, long step);

  /**
   * Replaces the account's recovery code hashes (opaque strings) with {@code hashes}; completes
   * with whether the account exists.
   */
  CompletionStage<Boolean> replaceRecoveryCodes(String id, List<String> hashes);

  /** Completes with the account's unused recovery code hashes. */
  CompletionStage<List<String>> recoveryCodes(String id);

  /**
   * Uses up the recovery code whose hash is {@code hash}; completes with whether it was there and
   * unused (of two parallel uses exactly one completes with true).
   */
  CompletionStage<Boolean> consumeRecoveryCode(String id, String hash);

  /**
   * Stores a one-time token for {@code purpose} by its hash only, valid until {@code expires}; the
   * account keeps at most {@code maxPerAccount} of each purpose (the oldest are dropped). Completes
   * with whether the account exists.
   */
  CompletionStage<Boolean> issueToken(
      OneTimePurpose purpose,
      String accountId,
      byte[] tokenHash,
      Instant expires,
      int maxPerAccount);

  /**
   * Uses up the token of {@code purpose} whose hash is {@code tokenHash}; completes with its
   * account and the expiry it was issued with if it was there and not expired at {@code now}, else
   * empty. A token is used up whatever the answer, so it never works twice.
   */
  CompletionStage<Optional<ConsumedToken>> takeToken(
      OneTimePurpose purpose, byte[] tokenHash, Instant now);

  /**
   * Uses up a token as {@link #takeToken} does; completes with the id of its account, for a caller
   * that never stores the token again.
   */
  default CompletionStage<Optional<String>> consumeToken(
      OneTimePurpose purpose, byte[] tokenHash, Instant now) {
    return takeToken(purpose, tokenHash, now).thenApply(t -> t.map(ConsumedToken::accountId));
  }

  /** Drops every one-time token of the account; completes with how many there were. */
  CompletionStage<Integer> revokeTokens(String accountId);
}
