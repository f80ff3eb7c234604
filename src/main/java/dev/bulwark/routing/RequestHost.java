package dev.bulwark.routing;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A request's host in its one canonical form (RFC 9112 §3.2, RFC 3986 §3.2.2): lower case, one
 * trailing dot removed, the port kept apart. Anything that is not a plain DNS name, an IPv4 address
 * or a bracketed IPv6 literal with an optional port is refused, so {@code a@b}, {@code a..b} and
 * {@code host:} never reach route matching or an upstream.
 *
 * @param host the lower-case name or address, without a trailing dot (IPv6 without brackets)
 * @param port the port, or -1 when none was given
 */
public record RequestHost(String host, int port) {
  private static final int MAX_LENGTH = 255;

  /** Parses a Host header or {@code :authority} value; returns null when it must be refused. */
  public static @Nullable RequestHost parse(String raw) {
    int n = raw.length();
    if (n == 0 || n > MAX_LENGTH + 7) {
      return null;
    }
    String name;
    int rest;
    if (raw.charAt(0) == '[') {
      int close = raw.indexOf(']');
      if (close < 0) {
        return null;
      }
      name = raw.substring(1, close).toLowerCase(Locale.ROOT);
      if (!isIpv6(name)) {
        return null;
      }
      rest = close + 1;
    } else {
      int colon = raw.indexOf(':');
      int end = colon < 0 ? n : colon;
      name = canonicalName(raw, end);
      if (name == null) {
        return null;
      }
      rest = end;
    }
    int port = -1;
    if (rest < n) {
      if (raw.charAt(rest) != ':') {
        return null;
      }
      port = port(raw, rest + 1);
      if (port < 0) {
        return null;
      }
    }
    return new RequestHost(name, port);
  }

  /** The value for a {@code Host} header: the port only when it is not {@code defaultPort}. */
  public String authority(int defaultPort) {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return port < 0 || port == defaultPort ? h : h + ":" + port;
  }

  /** Lower-cases a reg-name or IPv4 address and drops one trailing dot; null when malformed. */
  private static @Nullable String canonicalName(String raw, int end) {
    if (end == 0) {
      return null;
    }
    if (raw.charAt(end - 1) == '.') {
      end--; // the fully qualified form names the same host
    }
    if (end == 0 || end > MAX_LENGTH) {
      return null;
    }
    boolean upper = false;
    int labelStart = 0;
    for (int i = 0; i < end; i++) {
      char c = raw.charAt(i);
      if (c == '.') {
        if (i == labelStart || i - labelStart > 63) {
          return null; // an empty or overlong label
        }
        labelStart = i + 1;
      } else if (c >= 'A' && c <= 'Z') {
        upper = true;
      } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
        return null;
      }
    }
    if (end == labelStart || end - labelStart > 63) {
      return null;
    }
    String name = raw.substring(0, end);
    return upper ? name.toLowerCase(Locale.ROOT) : name;
  }

  private static int port(String raw, int from) {
    int n = raw.length();
    if (from >= n || n - from > 5) {
      return -1;
    }
    int p = 0;
    for (int i = from; i < n; i++) {
      char c = raw.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      p = p * 10 + (c - '0');
    }
    return p > 65535 ? -1 : p;
  }

  private static boolean isIpv6(String s) {
    if (s.length() < 2 || s.length() > 45) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.')) {
        return false; // no zone ids (%eth0) in a Host header
      }
    }
    return dev.bulwark.exchange.IpAddresses.parse(s) != null;
  }
}
