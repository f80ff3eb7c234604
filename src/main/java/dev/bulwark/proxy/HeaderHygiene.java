package dev.bulwark.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Decides which headers cross the gateway: hop-by-hop headers (the fixed list and any named in
 * {@code Connection}) never do, and forwarding headers are rebuilt rather than passed on.
 */
final class HeaderHygiene {
  /** Hop-by-hop in both directions (RFC 9110 7.6.1), plus HTTP/2-illegal connection headers. */
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "proxy-authenticate",
          "proxy-authorization",
          "http2-settings");

  /** Request headers the gateway sets itself; incoming values are dropped (or used if trusted). */
  private static final Set<String> GATEWAY_SET =
      Set.of(
          "host",
          "content-length",
          "expect",
          "forwarded",
          "x-forwarded-for",
          "x-forwarded-proto",
          "x-forwarded-host",
          "x-forwarded-port",
          "x-real-ip",
          "x-request-id");

  private HeaderHygiene() {}

  /** Returns the lower-case names listed in Connection headers, or null when there are none. */
  static @Nullable Set<String> connectionListed(MultiMap headers) {
    if (!headers.contains(HttpHeaders.CONNECTION)) {
      return null;
    }
    java.util.HashSet<String> names = new java.util.HashSet<>();
    for (String v : headers.getAll(HttpHeaders.CONNECTION)) {
      for (String token : v.split(",", 64)) {
        String t = token.trim().toLowerCase(Locale.ROOT);
        if (!t.isEmpty()) {
          names.add(t);
        }
      }
    }
    return names;
  }

  /** Copies end-to-end request headers that the gateway does not set itself. */
  static void copyRequestHeaders(MultiMap from, MultiMap to) {
    Set<String> listed = connectionListed(from);
    for (Map.Entry<String, String> e : from) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(name)
          || GATEWAY_SET.contains(name)
          || (listed != null && listed.contains(name))) {
        continue;
      }
      to.add(e.getKey(), e.getValue());
    }
  }

  /** Copies end-to-end response headers. */
  static void copyResponseHeaders(MultiMap from, MultiMap to) {
    Set<String> listed = connectionListed(from);
    for (Map.Entry<String, String> e : from) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(name) || (listed != null && listed.contains(name))) {
        continue;
      }
      to.add(e.getKey(), e.getValue());
    }
  }
}
