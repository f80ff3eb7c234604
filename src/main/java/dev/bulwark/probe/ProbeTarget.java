package dev.bulwark.probe;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The HTTPS endpoint under test: host, port and the path every HTTP check requests.
 *
 * @param host the host name or IP literal, without brackets
 * @param port the TLS port
 * @param path the request target (path and query) that checks request, starting with {@code /}
 */
public record ProbeTarget(String host, int port, String path) {

  /** Checks the components. */
  public ProbeTarget {
    requireNonNull(host, "host");
    requireNonNull(path, "path");
    if (host.isEmpty()) {
      throw new IllegalArgumentException("host: empty (expected: a host name or IP address)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
    }
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path: " + path + " (expected: to start with /)");
    }
  }

  /**
   * Parses an {@code https://} URL; {@code pathOverride}, when given, replaces the URL's path.
   *
   * @throws IllegalArgumentException when the URL is not an absolute https URL with a host
   */
  public static ProbeTarget parse(String url, @Nullable String pathOverride) {
    requireNonNull(url, "url");
    URI uri;
    try {
      uri = URI.create(url.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "url: " + url + " (expected: https://host[:port][/path])", e);
    }
    String scheme = uri.getScheme();
    if (scheme == null || !scheme.equalsIgnoreCase("https")) {
      throw new IllegalArgumentException(
          "url: "
              + url
              + " (expected: an https:// URL; the plain-HTTP listener is checked with --http-port)");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("url: " + url + " (expected: a host name)");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = uri.getPort() == -1 ? 443 : uri.getPort();
    String path;
    if (pathOverride != null && !pathOverride.isEmpty()) {
      path = pathOverride.startsWith("/") ? pathOverride : "/" + pathOverride;
    } else {
      String rawPath = uri.getRawPath();
      path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
      if (uri.getRawQuery() != null) {
        path = path + "?" + uri.getRawQuery();
      }
    }
    return new ProbeTarget(host.toLowerCase(Locale.ROOT), port, path);
  }

  /** Returns the value of the {@code Host} header for this target. */
  public String authority() {
    return authority(port, 443);
  }

  /** Returns the {@code Host} header value for another port of this host. */
  public String authority(int otherPort, int defaultPort) {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return otherPort == defaultPort ? h : h + ":" + otherPort;
  }

  /** Returns the browser origin of this target, e.g. {@code https://api.example.com}. */
  public String origin() {
    return "https://" + authority();
  }

  /** Returns the absolute URL of the probed path. */
  public String url() {
    return origin() + path;
  }

  /** Returns the path without its query. */
  public String pathWithoutQuery() {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }

  /** Returns whether the host is an IP literal rather than a DNS name. */
  public boolean hostIsIpLiteral() {
    return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
  }
}
