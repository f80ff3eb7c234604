package dev.bulwark.policy.errors;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Makes an upstream error body safe to log: truncated, control characters escaped, and values that
 * look like credentials replaced.
 */
public final class LoggedBody {
  private static final Pattern CREDENTIAL =
      Pattern.compile(
          "(?i)(password|passwd|secret|token|api[_-]?key|authorization|cookie|session)([\"']?\\s*[:=]\\s*[\"']?)[^\\s\"',;&]+");

  private LoggedBody() {}

  /** Returns the first {@code max} bytes of a body as a redacted single-line string. */
  public static String of(byte[] body, int max) {
    int n = Math.min(body.length, max);
    String text = new String(body, 0, n, StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\r') {
        sb.append("\\r");
      } else if (c == '\t') {
        sb.append("\\t");
      } else if (c < 0x20 || c == 0x7f) {
        sb.append('?');
      } else {
        sb.append(c);
      }
    }
    String redacted = CREDENTIAL.matcher(sb).replaceAll("$1$2[REDACTED]");
    return body.length > max ? redacted + "...(" + body.length + " bytes)" : redacted;
  }
}
