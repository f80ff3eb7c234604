package dev.bulwark.admin.dashboard;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventSink;
import java.util.ArrayList;
import java.util.List;

/**
 * The last {@code N} security events, kept in memory for the dashboard: a sink that never blocks
 * (one short lock per event), the oldest overwritten first. Thread-safe.
 */
public final class RecentEvents implements SecurityEventSink {
  /** How many events the gateway keeps for the dashboard. */
  public static final int DEFAULT_CAPACITY = 1000;

  private final SecurityEvent[] ring;
  private long written;

  /** Keeps the last {@code capacity} events. */
  public RecentEvents(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
    }
    this.ring = new SecurityEvent[capacity];
  }

  @Override
  public synchronized void accept(SecurityEvent event) {
    ring[(int) (written % ring.length)] = event;
    written++;
  }

  /** Returns the events held, newest first. */
  public synchronized List<SecurityEvent> newestFirst() {
    int held = (int) Math.min(written, ring.length);
    List<SecurityEvent> out = new ArrayList<>(held);
    for (long n = written - 1; n >= written - held; n--) {
      out.add(ring[(int) (n % ring.length)]);
    }
    return out;
  }

  /** Returns how many events were ever taken. */
  public synchronized long written() {
    return written;
  }
}
