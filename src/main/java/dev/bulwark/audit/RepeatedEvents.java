package dev.bulwark.audit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Thins out runs of identical security events (the caller says what makes two identical: its run
 * key): the first of a run is let through, then at most one per window, carrying how many were held
 * back since the last one let through. A run that goes quiet with events held back is closed by
 * {@link #flush}: its last event held back is let through then, carrying the count of the others,
 * so that the events let through always count every event ({@code 1 + suppressed} each). Each
 * refused request still has its own access-log line; this keeps an outage (a Redis store down, an
 * upstream refusing) or a flood of one bad request from writing one security record per request. At
 * most {@link #MAX_KINDS} runs are remembered; a new one past that first closes every run (none of
 * their counts is lost). Thread-safe.
 */
final class RepeatedEvents {
  /** More distinct runs than this (reasons can name a path, keys a client) and all are closed. */
  static final int MAX_KINDS = 10_000;

  private final long windowNanos;
  private final ConcurrentHashMap<Object, Window> windows = new ConcurrentHashMap<>();

  RepeatedEvents(long windowNanos) {
    this.windowNanos = windowNanos;
  }

  /**
   * Returns the event to hand on now ({@code event} itself, carrying the count held back before it
   * when there is one), or null when it is held back. Runs closed to make room go to {@code
   * closed}.
   */
  @Nullable SecurityEvent admit(
      Object run, SecurityEvent event, long nowNanos, Consumer<SecurityEvent> closed) {
    while (true) {
      Window w = windows.get(run);
      if (w == null) {
        if (windows.size() >= MAX_KINDS) {
          flush(nowNanos, true, closed);
        }
        w = windows.computeIfAbsent(run, k -> new Window(nowNanos - windowNanos));
      }
      synchronized (w) {
        if (w.gone) {
          continue; // closed by a flush since it was looked up: start a new run
        }
        if (nowNanos - w.loggedAt >= windowNanos) {
          long held = w.held;
          w.held = 0;
          w.last = null;
          w.loggedAt = nowNanos;
          return held == 0 ? event : event.withSuppressed(held);
        }
        w.held++;
        w.last = event;
        return null;
      }
    }
  }

  /**
   * Hands to {@code out} the last event held back of every run whose window has ended ({@code all}:
   * of every run), carrying the count of the others held back with it, and forgets runs that have
   * been quiet for a whole window.
   */
  void flush(long nowNanos, boolean all, Consumer<SecurityEvent> out) {
    for (Map.Entry<Object, Window> entry : windows.entrySet()) {
      Window w = entry.getValue();
      SecurityEvent due = null;
      synchronized (w) {
        if (!all && nowNanos - w.loggedAt < windowNanos) {
          continue;
        }
        SecurityEvent last = w.last;
        if (last != null) {
          due = w.held > 1 ? last.withSuppressed(w.held - 1) : last;
          w.held = 0;
          w.last = null;
          w.loggedAt = nowNanos;
        }
        if (all || due == null) {
          // Quiet for a whole window (or closing everything): the next event starts a new run,
          // which lets it through at once, exactly as this run would have.
          w.gone = true;
          windows.remove(entry.getKey(), w);
        }
      }
      if (due != null) {
        out.accept(due);
      }
    }
  }

  /** Returns how many runs are remembered. */
  int size() {
    return windows.size();
  }

  private static final class Window {
    long loggedAt;
    long held;
    @Nullable SecurityEvent last;
    boolean gone;

    Window(long loggedAt) {
      this.loggedAt = loggedAt;
    }
  }
}
