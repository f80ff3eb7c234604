package dev.bulwark.store;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Bans and the strike counters that lead to them. Lookups are answered from a local copy (no I/O on
 * the request path); a cluster store refreshes that copy from the shared truth at least every half
 * second. Every bound (the ban durations, the repeat memory, the strike window) is the caller's:
 * the store applies what it is given.
 */
public interface BanStore {
  /** Returns the active ban of a canonical client address, or null. Never does I/O. */
  @Nullable Ban active(String address);

  /** Returns the active bans (from the local copy). Never does I/O. */
  List<Ban> list();

  /**
   * Bans an address for {@code base} doubled for every earlier ban it had within {@code
   * repeatMemory}, at most {@code max}; completes with the ban made, or exceptionally when the
   * store failed or the ban list is full.
   */
  CompletionStage<Ban> ban(
      String address, Duration base, Duration max, Duration repeatMemory, String reason, String by);

  /** Lifts a ban; completes with whether there was one. */
  CompletionStage<Boolean> unban(String address);

  /**
   * Counts one strike of {@code rule} against {@code address} in a fixed window starting at its
   * first strike; completes with the count so far.
   */
  CompletionStage<Long> strike(String rule, String address, Duration window);

  /** Forgets the strikes of {@code rule} against {@code address} (when they led to a ban). */
  CompletionStage<Void> forgetStrikes(String rule, String address);
}
