package dev.bulwark.config;

import org.jspecify.annotations.Nullable;

/** A listen address: a host (IP literal or name) and a TCP port. */
public record HostPort(String host, int port) {

  /** Parses {@code host:port} or {@code [v6]:port}; returns null when malformed. */
  public static @Nullable HostPort parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      return null;
    }
    String host = text.substring(0, colon);
    String port = text.substring(colon + 1);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.indexOf(':') >= 0) {
      return null;
    }
    if (!port.matches("\\d{1,5}") || host.isEmpty()) {
      return null;
    }
    int p = Integer.parseInt(port);
    if (p > 65535) {
      return null;
    }
    return new HostPort(host, p);
  }

  /** Returns whether the host is a loopback address or {@code localhost}. */
  public boolean isLoopback() {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
