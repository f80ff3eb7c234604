package dev.bulwark.config;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Whether an access log line is written per exchange, and which query parameters are redacted (a
 * parameter is redacted when its name contains one of the listed words, ignoring case).
 */
public record AccessLogConfig(boolean enabled, List<String> redactQuery) {
  public AccessLogConfig {
    redactQuery = List.copyOf(redactQuery);
  }

  /** Words that mark a query parameter as a credential by default. */
  public static final List<String> DEFAULT_REDACT =
      List.of(
          "token", "password", "passwd", "secret", "key", "auth", "session", "signature", "code");

  static AccessLogConfig read(ConfigNode n) {
    n.expectMapping(Set.of("enabled", "redact-query"));
    boolean enabled = n.get("enabled").bool(true);
    List<String> redact =
        n.get("redact-query").present()
            ? n.get("redact-query").strings("a parameter name word").stream()
                .map(s -> s.toLowerCase(Locale.ROOT))
                .toList()
            : DEFAULT_REDACT;
    if (!enabled) {
      n.get("enabled").warning("false: no access log (exchanges leave no trace)");
    }
    return new AccessLogConfig(enabled, redact);
  }
}
