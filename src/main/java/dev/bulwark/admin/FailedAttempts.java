package dev.bulwark.admin;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wrong admin tokens per client address in a fixed window: once an address reaches the limit, it is
 * locked out until its window ends, and no token it sends is even compared. Bounded: past {@code
 * maxAddresses} the least recently seen address is forgotten. Thread-safe.
 */
final class FailedAttempts {
  /** One address's window: when it started and how many wrong tokens it has seen. */
  private static final class Window {
    long startNanos;
    int failures;

    Window(long startNanos) {
      this.startNanos = startNanos;
    }
  }

  /** Windows in access order, the least recently seen dropped past the bound. */
  private static final class Recent extends LinkedHashMap<String, Window> {
    private static final long serialVersionUID = 1L;
    private final int max;

    Recent(int max) {
      super(64, 0.75f, true);
      this.max = max;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
      return size() > max;
    }
  }

  private final int limit;
  private final long windowNanos;
  private final Recent windows;

  FailedAttempts(int limit, long windowNanos, int maxAddresses) {
    this.limit = limit;
    this.windowNanos = windowNanos;
    this.windows = new Recent(maxAddresses);
  }

  /** Returns the nanoseconds an address stays locked out, or 0 when it may try. */
  synchronized long lockedFor(String address, long nowNanos) {
    Window w = windows.get(address);
    if (w == null || w.failures < limit) {
      return 0;
    }
    long left = w.startNanos + windowNanos - nowNanos;
    if (left <= 0) {
      windows.remove(address);
      return 0;
    }
    return left;
  }

  /** Counts a wrong token; returns true when this one locks the address out. */
  synchronized boolean failed(String address, long nowNanos) {
    Window w = windows.get(address);
    if (w == null || nowNanos - w.startNanos >= windowNanos) {
      w = new Window(nowNanos);
      windows.put(address, w);
    }
    w.failures++;
    return w.failures == limit;
  }

  /** Forgets an address's wrong tokens once it presents the right one. */
  synchronized void succeeded(String address) {
    windows.remove(address);
  }

  /** Returns how many wrong tokens lock an address out. */
  int limit() {
    return limit;
  }
}
