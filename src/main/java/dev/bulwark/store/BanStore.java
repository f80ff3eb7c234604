package dev.bulwark.store;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Bans and the strike counters that lead to them. Lookups are answered from a local copy (no I/O on
 * the request path); a cluster store refreshes that copy from the shared truth at least every half
 * second.
 */
public interface BanStore {
  /** Returns the active ban of a canonical client address, or null. Never does I/O. */
  @Nullable Ban active(String address);

  /**
   * Bans an address for {@code base} doubled for every earlier ban it had within {@code
   * repeatMemory}, at most {@code max}; completes with the ban made.
   */
  CompletionStage<Ban> ban(
      String address, Duration base, Duration max, Duration repeatMemory, String reason, String by);

  /** Lifts a ban; completes with whether there was one. */
  CompletionStage<Boolean> unban(String address);

  /** Returns the active bans (from the local copy). */
  List<Ban> list();

  /**
   * Counts one strike of {@code rule} against {@code address} in a fixed window starting at its
   * first strike and hands the count so far to {@code count} (not called when the store fails).
   */
  void strike(String rule, String address, Duration window, LongConsumer count);

  /** Forgets the strikes of {@code rule} against {@code address} (when they led to a ban). */
  void forgetStrikes(String rule, String address);
}
