package dev.bulwark.audit;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Publishes security events to every sink, in order: the one way a policy, the pipeline or the
 * admin API reports one. Events of a {@link SecurityEventKind#repeatable() repeatable} kind, and
 * the refused credentials of {@link #THINNED_PER_CLIENT}, are thinned out first, so that every sink
 * sees the same events: of identical ones (same kind, route, status, reason and endpoint, and for
 * the latter the same client address) at most one per second passes, carrying in {@code suppressed}
 * how many were held back before it; a run that stops is closed by {@link #flushRepeats}. Every
 * consumer counts an event as {@code 1 + suppressed}. A sink that throws loses that event and is
 * counted (logged at most every ten seconds); the caller and the other sinks are not affected.
 * Thread-safe; never blocks unless a sink does.
 */
public final class SecurityEvents {
  /** How long an admin change waits for its durable record before it is answered as not stored. */
  public static final Duration DURABLE_WAIT = Duration.ofSeconds(10);

  private static final Logger LOG = Logger.getLogger(SecurityEvents.class.getName());
  private static final long REPEAT_WINDOW_NANOS = 1_000_000_000L;
  private static final long FAILURE_LOG_NANOS = 10_000_000_000L;

  /**
   * The per-request refusals of a presented credential, thinned per client address: a flood of bad
   * tokens, signatures or certificates from one address is one event per second (with {@code
   * suppressed}), while each address refused keeps its own events.
   */
  public static final Set<SecurityEventKind> THINNED_PER_CLIENT =
      Collections.unmodifiableSet(
          EnumSet.of(
              SecurityEventKind.TOKEN_INVALID,
              SecurityEventKind.TOKEN_EXPIRED,
              SecurityEventKind.SIGNATURE_INVALID,
              SecurityEventKind.SIGNATURE_REPLAYED,
              SecurityEventKind.DIGEST_MISMATCH,
              SecurityEventKind.CERTIFICATE_REFUSED));

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
    SecurityEventKind kind = event.kind();
    if (kind.repeatable() || THINNED_PER_CLIENT.contains(kind)) {
      SecurityEvent let = repeated.admit(runOf(event), event, nanoClock.getAsLong(), this::deliver);
      if (let != null) {
        deliver(let);
      }
      return;
    }
    deliver(event);
  }

  /**
   * Returns what makes two events one run: kind, route, status, reason and the endpoint; and for a
   * kind thinned per client, the client address too, so that each attacker stays visible.
   */
  private static Object runOf(SecurityEvent e) {
    return new Run(
        e.kind(),
        THINNED_PER_CLIENT.contains(e.kind()) ? e.client() : null,
        e.route(),
        e.status(),
        e.reason(),
        e.via());
  }

  private record Run(
      SecurityEventKind kind,
      @Nullable String client,
      @Nullable String route,
      int status,
      @Nullable String reason,
      @Nullable String via) {}

  private void deliver(SecurityEvent e) {
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

  /**
   * Hands on the counts of thinned runs whose window has ended: for each run with events held back,
   * its last event held back, carrying how many others were held back with it. The gateway calls
   * this once a second, so that a flood that stops is counted within two seconds; a publisher that
   * never calls it still has every count carried by the next event of the run.
   */
  public void flushRepeats() {
    repeated.flush(nanoClock.getAsLong(), false, this::deliver);
  }

  /** Hands on the counts of every thinned run at once (at shutdown, before the sinks close). */
  public void flushAllRepeats() {
    repeated.flush(nanoClock.getAsLong(), true, this::deliver);
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
