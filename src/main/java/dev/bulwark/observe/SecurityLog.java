package dev.bulwark.observe;

import java.util.Map;

/** Writes security event lines (one JSON object each) beside the access log. */
public final class SecurityLog {
  private final LogSink sink;

  public SecurityLog(LogSink sink) {
    this.sink = sink;
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
