package dev.bulwark.store;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Idempotency records by key, shared by every gateway process that uses the same store: a caller
 * claims a key atomically with an in-flight record that expires after a lease (so a crashed
 * gateway's claim lapses), then either completes it with the finished record, kept for a retention,
 * or releases it; both only while its own in-flight record is still the one stored. Records are
 * opaque bytes to the store: their format is the caller's.
 */
public interface IdempotencyStore {
  /**
   * What a claim found: {@link #claimed()} when the caller now holds the key, else the record that
   * was already there (another caller's in-flight record, or a completed one).
   *
   * @param existing the record found, or null when the claim succeeded
   */
  record Claim(byte @Nullable [] existing) {
    /** The claim succeeded: the key was free and now holds the caller's in-flight record. */
    public static final Claim CLAIMED = new Claim(null);

    /** Returns a claim that found {@code existing}. */
    public static Claim found(byte[] existing) {
      return new Claim(requireNonNull(existing, "existing"));
    }

    /** Returns whether the caller now holds the key. */
    public boolean claimed() {
      return existing == null;
    }
  }

  /**
   * Stores {@code inFlight} under {@code key} for {@code lease} unless the key holds a record, in
   * one atomic step, and completes with what it found. A store failure (unreachable, timed out, its
   * bound reached) completes it exceptionally; the caller's on-store-failure decides.
   */
  CompletionStage<Claim> claim(String key, byte[] inFlight, Duration lease);

  /**
   * Replaces the caller's own in-flight record {@code inFlight} with {@code done}, kept for {@code
   * retention}; completes with false (and stores nothing) when the key no longer holds {@code
   * inFlight} (its lease ran out, or another caller claimed it since).
   */
  CompletionStage<Boolean> complete(String key, byte[] inFlight, byte[] done, Duration retention);

  /**
   * Removes the caller's own in-flight record {@code inFlight}, so a retry may claim the key again;
   * completes with false when the key no longer holds it.
   */
  CompletionStage<Boolean> release(String key, byte[] inFlight);
}
