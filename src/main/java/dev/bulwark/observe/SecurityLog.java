package dev.bulwark.observe;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventSink;

/**
 * Writes each security event as one JSON line beside the access log: {@code type}, {@code time},
 * {@code event} (the kind's wire name), then the event's fields under their own names, text as JSON
 * strings and numbers (status, counts) as JSON numbers.
 */
public final class SecurityLog implements SecurityEventSink {
  private final LogSink sink;

  public SecurityLog(LogSink sink) {
    this.sink = sink;
  }

  @Override
  public void accept(SecurityEvent event) {
    sink.write(line(event));
  }

  /** Returns the JSON line of an event (without the newline). */
  static String line(SecurityEvent event) {
    StringBuilder sb = new StringBuilder(200);
    LogTime.append(sb.append("{\"type\":\"security\",\"time\":\""), event.epochMillis())
        .append("\",\"event\":");
    AccessLog.quote(sb, event.kind().wireName());
    event.writeFields(
        new SecurityEvent.Fields() {
          @Override
          public void text(String name, String value) {
            sb.append(',');
            AccessLog.quote(sb, name);
            sb.append(':');
            AccessLog.quote(sb, value);
          }

          @Override
          public void number(String name, long value) {
            sb.append(',');
            AccessLog.quote(sb, name);
            sb.append(':').append(value);
          }
        });
    return sb.append('}').toString();
  }
}
