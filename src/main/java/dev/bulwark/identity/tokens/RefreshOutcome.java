package dev.bulwark.identity.tokens;

/**
 * The answer to a refresh: new tokens, or a refusal (the login endpoint answers {@code 400
 * invalid_grant} for every refusal alike, and {@code 503} when the store failed, which completes
 * the stage exceptionally instead).
 */
public sealed interface RefreshOutcome {
  /**
   * New tokens; {@code repeated} when the presented token had just been rotated away and the grace
   * gave the same successor again.
   */
  record Granted(TokenGrant grant, boolean repeated) implements RefreshOutcome {}

  /** Why a refresh was refused. */
  enum Reason {
    /** Not a refresh token of this gateway, or one of no live session. */
    INVALID,
    /** The session reached its absolute lifetime or its idle timeout. */
    ENDED,
    /** A token rotated away was presented again: the whole session is revoked now. */
    REUSED,
    /** The account may no longer sign in: the session is revoked now. */
    ACCOUNT_GONE
  }

  /** A refused refresh. */
  record Refused(Reason reason) implements RefreshOutcome {}
}
