package dev.bulwark.store;

/**
 * What presenting a refresh token did to its family, decided atomically by the store: exchanged
 * (the presented token was the current one, or the one just rotated away while the grace lasts),
 * reuse detected (the family is revoked now), or refused.
 */
public sealed interface Rotation {
  /**
   * The token was exchanged: the family as it is now, and the nonce its successor is derived with;
   * {@code repeated} when the presented token had just been rotated away and the grace gave the
   * same successor again.
   */
  record Exchanged(RefreshFamily family, String nonce, boolean repeated) implements Rotation {}

  /**
   * A token of the family was presented after it had been rotated away (outside the grace): the
   * whole family was revoked by this call.
   */
  record Reused(RefreshFamily family) implements Rotation {}

  /** Why a token was refused without touching any family. */
  enum Refusal {
    /** No family has this token's session (never issued, ended and forgotten, or revoked). */
    UNKNOWN,
    /** The family reached its absolute lifetime or its idle timeout; it is forgotten now. */
    ENDED
  }

  /** The token was refused. */
  record Refused(Refusal why) implements Rotation {}
}
