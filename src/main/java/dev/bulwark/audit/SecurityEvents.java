package dev.bulwark.audit;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishes security events to every sink, in order: the one way a policy, the pipeline or the
 * admin API reports one. Events of a {@link SecurityEventKind#repeatable() repeatable} kind are
 * thinned out first, so that every sink sees the same events: of identical ones (same kind, route,
 * status and reason) at most one per second passes, the next one carrying how many were held back.
 * A sink that throws loses that event and is counted (logged at most every ten seconds); the caller
 * and the other sinks are not affected. Thread-safe; never blocks unless a sink does.
 */
public final class SecurityEvents {
  /** How long an admin change waits for its durable record before it is answered as not stored. */
  public static final Duration DURABLE_WAIT = Duration.ofSeconds(10);

  private static final Logger LOG = Logger.getLogger(SecurityEvents.class.getName());
  private static final long REPEAT_WINDOW_NANOS = 1_000_000_000L;
  private static final long FAILURE_LOG_NANOS = 10_000_000_000L;

  private final List<SecurityEventSink> sinks;
  private final LongSupplier nanoClock;
  private final RepeatedEvents repeated = new RepeatedEvents(REPEAT_WINDOW_NANOS);
  private final AtomicLong sinkFailures = new AtomicLong();
  private final AtomicLong lastFailureLog;

  /** Publishes to the given sinks, in their order. */
  public SecurityEvents(List<SecurityEventSink> sinks) {
    this(sinks, System::nanoTime);
  }

  /** Publishes to the given sinks, thinning repeats on the given clock (tests move it by hand). */
  public SecurityEvents(List<SecurityEventSink> sinks, LongSupplier nanoClock) {
    this.sinks = List.copyOf(requireNonNull(sinks, "sinks"));
    this.nanoClock = nanoClock;
    this.lastFailureLog = new AtomicLong(nanoClock.getAsLong() - FAILURE_LOG_NANOS);
  }

  /** Publishes to the given sinks, in their order. */
  public static SecurityEvents of(SecurityEventSink... sinks) {
    return new SecurityEvents(List.of(sinks));
  }

  /** Hands an event to every sink, unless it is a repeat held back. */
  public void publish(SecurityEvent event) {
    SecurityEvent e = event;
    if (e.kind().repeatable()) {
      long held = repeated.admit(e.repeatKey(), nanoClock.getAsLong());
      if (held < 0) {
        return;
      }
      if (held > 0) {
        e = e.withSuppressed(held);
      }
    }
    for (SecurityEventSink sink : sinks) {
      try {
        sink.accept(e);
      } catch (RuntimeException failure) {
        sinkFailed(e, failure);
      }
    }
  }

  /**
   * Hands an event that must not be lost (an admin change) to every sink, never thinned out, and
   * returns a future completed once every {@link DurableSink} has stored it (at once when there is
   * none), or failed when one could not or did not within {@link #DURABLE_WAIT} (a disk that hangs
   * must not leave the admin call unanswered).
   */
  public CompletableFuture<Void> publishDurably(SecurityEvent event) {
    return publishDurably(event, DURABLE_WAIT);
  }

  /** Like {@link #publishDurably(SecurityEvent)}, failing when not stored within {@code wait}. */
  CompletableFuture<Void> publishDurably(SecurityEvent event, Duration wait) {
    List<CompletableFuture<Void>> stored = new ArrayList<>();
    for (SecurityEventSink sink : sinks) {
      try {
        if (sink instanceof DurableSink d) {
          stored.add(d.acceptDurably(event));
        } else {
          sink.accept(event);
        }
      } catch (RuntimeException failure) {
        sinkFailed(event, failure);
        if (sink instanceof DurableSink) {
          stored.add(CompletableFuture.failedFuture(failure));
        }
      }
    }
    if (stored.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new))
        .orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Returns how many times a sink threw instead of taking an event. */
  public long sinkFailures() {
    return sinkFailures.get();
  }

  private void sinkFailed(SecurityEvent e, RuntimeException failure) {
    long n = sinkFailures.incrementAndGet();
    long now = nanoClock.getAsLong();
    long last = lastFailureLog.get();
    if (now - last >= FAILURE_LOG_NANOS && lastFailureLog.compareAndSet(last, now)) {
      LOG.log(
          Level.WARNING,
          "a security event sink failed ("
              + n
              + " failures so far; this one lost a "
              + e.kind().wireName()
              + " event)",
          failure);
    }
  }
}
