package dev.bulwark.audit.alert;

/**
 * Where a fired alert goes: the log, a webhook. Called on the thread that published the event
 * (often an event loop), so it must not block: one that does I/O queues the alert.
 */
@FunctionalInterface
public interface AlertDestination {
  /** Takes one alert. */
  void send(Alert alert);
}
