package dev.bulwark.admin.dashboard;

import dev.bulwark.audit.alert.Alert;
import dev.bulwark.audit.alert.AlertDestination;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** The last alerts fired, kept in memory for the dashboard (an alert destination). Thread-safe. */
public final class RecentAlerts implements AlertDestination {
  /** How many alerts the gateway keeps for the dashboard. */
  public static final int DEFAULT_CAPACITY = 100;

  private final int capacity;
  private final Deque<Alert> alerts = new ArrayDeque<>();

  /** Keeps the last {@code capacity} alerts. */
  public RecentAlerts(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
    }
    this.capacity = capacity;
  }

  @Override
  public synchronized void send(Alert alert) {
    if (alerts.size() == capacity) {
      alerts.removeLast();
    }
    alerts.addFirst(alert);
  }

  /** Returns the alerts held, newest first. */
  public synchronized List<Alert> newestFirst() {
    return new ArrayList<>(alerts);
  }
}
