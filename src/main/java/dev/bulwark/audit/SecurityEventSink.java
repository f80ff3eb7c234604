package dev.bulwark.audit;

/**
 * Where security events go: the JSON log line today; the durable audit trail, alert rules and
 * webhooks later. A sink is called on the publisher's thread (often an event loop), so it must not
 * block: a sink that does I/O queues the event and writes it on its own thread. A sink that throws
 * loses that event only; the request and the other sinks go on.
 */
@FunctionalInterface
public interface SecurityEventSink {
  /** Takes one event. */
  void accept(SecurityEvent event);
}
