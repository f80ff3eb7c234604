package dev.bulwark.observe;

import java.util.Map;

/** Writes security event lines (one JSON object each) beside the access log. */
public final class SecurityLog {
  private final LogSink sink;
  private final RepeatedEvents repeated = new RepeatedEvents(1_000_000_000L);

  public SecurityLog(LogSink sink) {
    this.sink = sink;
  }

  /**
   * Records an event that can repeat once per request in an outage or a flood ({@code
   * request-refused}, {@code upstream-failure}): at most one per second for the same kind, route,
   * status and reason, the next one logged carrying a {@code suppressed} count of those held back.
   */
  public void repeatableEvent(
      String kind, String requestId, String client, String route, int status, String reason) {
    long held = repeated.admit(kind + '|' + route + '|' + status + '|' + reason, System.nanoTime());
    if (held < 0) {
      return;
    }
    Map<String, String> fields = new java.util.LinkedHashMap<>();
    fields.put("route", route);
    fields.put("status", String.valueOf(status));
    fields.put("reason", reason);
    if (held > 0) {
      fields.put("suppressed", String.valueOf(held));
    }
    event(kind, requestId, client, fields);
  }

  /** Records an event with its kind, request id, client and extra string fields. */
  public void event(String kind, String requestId, String client, Map<String, String> fields) {
    StringBuilder sb = new StringBuilder(200);
    LogTime.append(sb.append("{\"type\":\"security\",\"time\":\"")).append("\",\"event\":");
    AccessLog.quote(sb, kind);
    sb.append(",\"requestId\":");
    AccessLog.quote(sb, requestId);
    sb.append(",\"client\":");
    AccessLog.quote(sb, client);
    for (Map.Entry<String, String> e : fields.entrySet()) {
      sb.append(',');
      AccessLog.quote(sb, e.getKey());
      sb.append(':');
      AccessLog.quote(sb, e.getValue());
    }
    sb.append('}');
    sink.write(sb.toString());
  }
}
