package dev.bulwark.store;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Refresh-token families (one per sign-in session) and the sessions revoked recently. A family is
 * found by its session id and judged by the SHA-256 of the presented token: {@link #rotate}
 * exchanges it atomically (one winner among parallel callers on every gateway sharing the store).
 * Revoked sessions are remembered for {@code keepRevoked} (the caller's longest access-token
 * lifetime) so that access tokens naming them can be refused: {@link #revoked} answers from a local
 * copy, never doing I/O; a cluster store refreshes that copy at least every half second.
 *
 * <p>Bounds: the store holds at most its {@code max-keys} families and revoked sessions together
 * (beyond that {@link #create} fails), and an account at most {@code maxPerAccount} families (the
 * oldest is revoked to make room), both given by the caller.
 */
public interface RefreshTokenStore {
  /**
   * Starts a family whose current token has {@code family.currentHash()}; when the account already
   * has {@code maxPerAccount} families its oldest is revoked. Completes exceptionally when the
   * store is full or failed.
   */
  CompletionStage<RefreshFamily> create(
      RefreshFamily family, int maxPerAccount, Duration keepRevoked);

  /**
   * Presents a token of session {@code sid} with hash {@code presentedHash} at {@code nowMillis}:
   * the current token is exchanged for {@code nextHash} (with {@code nonce}); the token rotated
   * away last, presented again within {@code grace} of its rotation, gets the stored nonce back
   * (the same successor); any other token of the family revokes it ({@link Rotation.Reused}).
   */
  CompletionStage<Rotation> rotate(
      String sid,
      String presentedHash,
      String nextHash,
      String nonce,
      long nowMillis,
      Duration grace,
      Duration keepRevoked,
      String address);

  /** Revokes one session; completes with whether it was live. */
  CompletionStage<Boolean> revoke(String sid, long nowMillis, Duration keepRevoked);

  /** Revokes every session of an account; completes with how many were live. */
  CompletionStage<Integer> revokeAccount(String account, long nowMillis, Duration keepRevoked);

  /** Completes with the live sessions of an account, oldest first. */
  CompletionStage<List<RefreshFamily>> sessions(String account, long nowMillis);

  /** Returns whether a session was revoked recently (from the local copy). Never does I/O. */
  boolean revoked(String sid);
}
