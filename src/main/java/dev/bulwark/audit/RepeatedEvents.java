package dev.bulwark.audit;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Thins out runs of identical security events: the first of a kind (same event, route, status and
 * reason) is let through, then at most one per window; the one let through after a quiet spell
 * carries how many were held back since the last. Each refused request still has its own access-log
 * line; this keeps an outage (a Redis store down, an upstream refusing) or a flood of one bad
 * request from writing one security line per request. Thread-safe.
 */
final class RepeatedEvents {
  /** More distinct kinds than this (reasons can name a path) and the counts start over. */
  static final int MAX_KINDS = 10_000;

  private final long windowNanos;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  RepeatedEvents(long windowNanos) {
    this.windowNanos = windowNanos;
  }

  /**
   * Returns -1 when this event should not be logged, else how many identical events were held back
   * since the last one logged (0 for the first of a run).
   */
  long admit(String kind, long nowNanos) {
    Window w = windows.get(kind);
    if (w == null) {
      if (windows.size() >= MAX_KINDS) {
        windows.clear();
      }
      w = windows.computeIfAbsent(kind, k -> new Window(nowNanos - windowNanos));
    }
    synchronized (w) {
      if (nowNanos - w.loggedAt >= windowNanos) {
        long held = w.held;
        w.held = 0;
        w.loggedAt = nowNanos;
        return held;
      }
      w.held++;
      return -1;
    }
  }

  private static final class Window {
    long loggedAt;
    long held;

    Window(long loggedAt) {
      this.loggedAt = loggedAt;
    }
  }
}
