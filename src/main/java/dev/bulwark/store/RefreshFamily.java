package dev.bulwark.store;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One refresh-token family: the sign-in session it stands for ({@code sid}, public: access tokens
 * carry it), the account, its lifetimes, how it was signed in ({@code amr}), where it was last used
 * from, and the SHA-256 (hex) of its current token and of the one just rotated away, with the
 * rotation's nonce (from which a parallel request holding the previous token derives the same
 * successor while the grace lasts). A store keeps no token, only these hashes.
 *
 * @param sid the session id (random, public)
 * @param account the account it signs in
 * @param createdMillis when the family was started (epoch milliseconds)
 * @param lastUsedMillis when a token of it was last exchanged
 * @param absoluteExpiryMillis when it ends however it is used
 * @param idleMillis how long it may go unused before it ends
 * @param generation how many rotations it has had
 * @param currentHash the hash of the token that may be exchanged now
 * @param previousHash the hash of the token rotated away last, or null before the first rotation
 * @param rotatedMillis when the last rotation happened (0 before the first)
 * @param nonce the last rotation's nonce (base64url), or null before the first rotation
 * @param amr how the account proved itself at sign-in ({@code pwd}, {@code otp})
 * @param address the client address it was last used from
 * @param userAgent the client's user agent at sign-in, bounded by the caller
 */
public record RefreshFamily(
    String sid,
    String account,
    long createdMillis,
    long lastUsedMillis,
    long absoluteExpiryMillis,
    long idleMillis,
    long generation,
    String currentHash,
    @Nullable String previousHash,
    long rotatedMillis,
    @Nullable String nonce,
    List<String> amr,
    String address,
    String userAgent) {

  public RefreshFamily {
    requireNonNull(sid, "sid");
    requireNonNull(account, "account");
    requireNonNull(currentHash, "currentHash");
    amr = List.copyOf(amr);
    requireNonNull(address, "address");
    requireNonNull(userAgent, "userAgent");
  }

  /** Returns when the family ends if it is not used again: its idle or absolute end, the sooner. */
  public long endsAtMillis() {
    return Math.min(absoluteExpiryMillis, lastUsedMillis + idleMillis);
  }

  /** Returns whether the family has ended (absolute lifetime or idle timeout) at {@code now}. */
  public boolean endedAt(long nowMillis) {
    return nowMillis >= endsAtMillis();
  }

  /**
   * Returns the family after one rotation to {@code nextHash} at {@code now} from {@code address}.
   */
  public RefreshFamily rotated(String nextHash, String nonce, long nowMillis, String address) {
    return new RefreshFamily(
        sid,
        account,
        createdMillis,
        nowMillis,
        absoluteExpiryMillis,
        idleMillis,
        generation + 1,
        nextHash,
        currentHash,
        nowMillis,
        nonce,
        amr,
        address,
        userAgent);
  }
}
