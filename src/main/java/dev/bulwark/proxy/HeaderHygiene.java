package dev.bulwark.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Decides which headers cross the gateway: hop-by-hop headers (the fixed list and any named in
 * {@code Connection}) never do, forwarding headers are rebuilt rather than passed on, headers that
 * claim the client's address ({@link ClientAddressHeaders}) are dropped, and the route's {@link
 * RequestHeaderRules} drop identity headers and names with {@code _}.
 */
final class HeaderHygiene {
  private HeaderHygiene() {}

  /** Hop-by-hop in both directions (RFC 9110 7.6.1), plus HTTP/2-illegal connection headers. */
  static boolean isHopByHop(String n) {
    return switch (n.length()) {
      case 2 -> n.equalsIgnoreCase("te");
      case 7 -> n.equalsIgnoreCase("upgrade") || n.equalsIgnoreCase("trailer");
      case 10 -> n.equalsIgnoreCase("connection") || n.equalsIgnoreCase("keep-alive");
      case 14 -> n.equalsIgnoreCase("http2-settings");
      case 16 -> n.equalsIgnoreCase("proxy-connection");
      case 17 -> n.equalsIgnoreCase("transfer-encoding");
      case 18 -> n.equalsIgnoreCase("proxy-authenticate");
      case 19 -> n.equalsIgnoreCase("proxy-authorization");
      default -> false;
    };
  }

  /** Request headers the gateway sets itself; incoming values are dropped (or used if trusted). */
  static boolean isGatewaySet(String n) {
    return switch (n.length()) {
      case 4 -> n.equalsIgnoreCase("host");
      case 6 -> n.equalsIgnoreCase("expect");
      case 9 -> n.equalsIgnoreCase("forwarded");
      case 12 -> n.equalsIgnoreCase("x-request-id");
      case 14 -> n.equalsIgnoreCase("content-length");
      case 15 -> n.equalsIgnoreCase("x-forwarded-for");
      case 16 -> n.equalsIgnoreCase("x-forwarded-host") || n.equalsIgnoreCase("x-forwarded-port");
      case 17 -> n.equalsIgnoreCase("x-forwarded-proto");
      default -> false;
    };
  }

  /**
   * Returns the lower-case names listed in Connection headers beyond the hop-by-hop ones (which are
   * dropped anyway), or null when there are none, the common case of {@code keep-alive} or {@code
   * close}.
   */
  static @Nullable Set<String> connectionListed(MultiMap headers) {
    String single = headers.get(HttpHeaders.CONNECTION);
    if (single == null) {
      return null;
    }
    java.util.HashSet<String> names = null;
    for (String v : headers.getAll(HttpHeaders.CONNECTION)) {
      for (String token : v.split(",", 64)) {
        String t = token.trim();
        if (t.isEmpty() || t.equalsIgnoreCase("close") || isHopByHop(t)) {
          continue;
        }
        if (names == null) {
          names = new java.util.HashSet<>();
        }
        names.add(t.toLowerCase(Locale.ROOT));
      }
    }
    return names;
  }

  /**
   * Copies end-to-end request headers that the gateway does not set itself and the route's rules do
   * not drop.
   */
  static void copyRequestHeaders(MultiMap from, MultiMap to, RequestHeaderRules rules) {
    Set<String> listed = connectionListed(from);
    for (Map.Entry<String, String> e : from) {
      String name = e.getKey();
      if (isHopByHop(name)
          || isGatewaySet(name)
          || ClientAddressHeaders.contains(name)
          || isListed(listed, name)
          || rules.drops(name)) {
        continue;
      }
      to.add(name, e.getValue());
    }
  }

  /** Copies end-to-end response headers. */
  static void copyResponseHeaders(MultiMap from, MultiMap to) {
    Set<String> listed = connectionListed(from);
    for (Map.Entry<String, String> e : from) {
      String name = e.getKey();
      if (isHopByHop(name) || isListed(listed, name)) {
        continue;
      }
      to.add(name, e.getValue());
    }
  }

  private static boolean isListed(@Nullable Set<String> listed, String name) {
    return listed != null && listed.contains(name.toLowerCase(Locale.ROOT));
  }
}
