package dev.bulwark.observe;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.bulwark.config.AccessLogConfig;
import dev.bulwark.exchange.Exchange;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Writes one JSON line per exchange: time, request id, client, route, method, path (credential-like
 * query parameters redacted), status, bytes, durations and decision. Headers such as Authorization
 * and Cookie are never logged.
 */
public final class AccessLog {
  private final LogSink sink;
  private final boolean enabled;
  private final String[] redactWords;

  public AccessLog(LogSink sink, AccessLogConfig config) {
    this.sink = sink;
    this.enabled = config.enabled();
    this.redactWords = config.redactQuery().toArray(new String[0]);
  }

  /** Logs a finished exchange. */
  public void log(Exchange ex, String routeName, long endNanos) {
    if (!enabled) {
      return;
    }
    StringBuilder sb = new StringBuilder(320);
    LogTime.append(sb.append("{\"type\":\"access\",\"time\":\"")).append("\",\"requestId\":\"");
    sb.append(ex.requestId()).append("\",\"client\":");
    quote(sb, ex.clientAddress());
    sb.append(",\"route\":");
    quote(sb, routeName);
    sb.append(",\"method\":");
    quote(sb, ex.request().method());
    sb.append(",\"path\":");
    quote(sb, redactQuery(ex.path(), ex.request().query(), redactWords));
    sb.append(",\"status\":").append(ex.status());
    sb.append(",\"bytesIn\":").append(ex.bytesIn());
    sb.append(",\"bytesOut\":").append(ex.bytesOut());
    appendMillis(sb.append(",\"durationMs\":"), endNanos - ex.startNanos());
    if (ex.upstreamNanos() >= 0) {
      appendMillis(sb.append(",\"upstreamMs\":"), ex.upstreamNanos());
    }
    String subject = ex.subject();
    if (subject != null) {
      sb.append(",\"subject\":");
      quote(sb, subject);
    }
    sb.append(",\"decision\":");
    quote(sb, ex.decision());
    String reason = ex.denyReason();
    if (reason != null) {
      sb.append(",\"reason\":");
      quote(sb, reason);
    }
    sb.append('}');
    sink.write(sb.toString());
  }

  /**
   * Returns the path with the query appended, the values of credential-like parameters redacted.
   */
  static String redactQuery(String path, @Nullable String query, String[] words) {
    if (query == null || query.isEmpty()) {
      return path;
    }
    StringBuilder sb =
        new StringBuilder(path.length() + query.length() + 1).append(path).append('?');
    int start = 0;
    int n = query.length();
    while (start <= n) {
      int amp = query.indexOf('&', start);
      int end = amp < 0 ? n : amp;
      String pair = query.substring(start, end);
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      if (eq >= 0 && isCredential(name, words)) {
        sb.append(name).append("=[REDACTED]");
      } else {
        sb.append(pair);
      }
      if (amp < 0) {
        break;
      }
      sb.append('&');
      start = amp + 1;
    }
    return sb.toString();
  }

  private static boolean isCredential(String name, String[] words) {
    String lower;
    try {
      lower =
          java.net.URLDecoder.decode(name, java.nio.charset.StandardCharsets.UTF_8)
              .toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return true; // a name that does not decode could hide anything: redact its value
    }
    for (String w : words) {
      if (lower.contains(w)) {
        return true;
      }
    }
    return false;
  }

  static void quote(StringBuilder sb, String s) {
    sb.append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, sb);
    sb.append('"');
  }

  /** Appends nanoseconds as milliseconds with three decimals (no String.format on the hot path). */
  static StringBuilder appendMillis(StringBuilder sb, long nanos) {
    long micros = Math.max(0, nanos / 1000);
    long frac = micros % 1000;
    sb.append(micros / 1000).append('.');
    if (frac < 100) {
      sb.append('0');
    }
    if (frac < 10) {
      sb.append('0');
    }
    return sb.append(frac);
  }
}
