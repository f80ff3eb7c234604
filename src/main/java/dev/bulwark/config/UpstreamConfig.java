package dev.bulwark.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Where a route forwards: scheme, host and port of the upstream, whether its certificate is
 * verified (always, unless {@code insecure-skip-verify} says otherwise) and against which CA
 * bundle, whether the client's Host header is passed on, and the keep-alive pool size per event
 * loop.
 */
public record UpstreamConfig(
    boolean tls,
    String host,
    int port,
    @Nullable Path caBundle,
    boolean insecureSkipVerify,
    boolean preserveHost,
    int poolSize) {

  /** Returns {@code scheme://host:port}. */
  public String origin() {
    return (tls ? "https" : "http")
        + "://"
        + (host.indexOf(':') >= 0 ? "[" + host + "]" : host)
        + ":"
        + port;
  }

  /** Returns the Host header value for the upstream (port omitted when default). */
  public String authority() {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return (tls && port == 443) || (!tls && port == 80) ? h : h + ":" + port;
  }

  static @Nullable UpstreamConfig read(ConfigNode n, Path baseDir) {
    if (!n.present()) {
      n.error("missing (expected: a URL such as http://127.0.0.1:3000, or a mapping with url)");
      return null;
    }
    ConfigNode urlNode = n;
    ConfigNode mapping = null;
    if (!n.isScalar()) {
      if (!n.expectMapping(
          Set.of("url", "ca", "insecure-skip-verify", "preserve-host", "pool-size"))) {
        return null;
      }
      mapping = n;
      urlNode = n.get("url");
    }
    String url = urlNode.requiredString("a URL such as http://127.0.0.1:3000");
    if (url == null) {
      return null;
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      urlNode.invalid("a URL such as http://127.0.0.1:3000");
      return null;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      urlNode.invalid("an http:// or https:// URL");
      return null;
    }
    String host = uri.getHost();
    if (host == null || uri.getUserInfo() != null) {
      urlNode.invalid("scheme://host[:port] without credentials");
      return null;
    }
    if ((uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      urlNode.invalid("scheme://host[:port] without path, query or fragment");
      return null;
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    boolean tls = scheme.equals("https");
    int port = uri.getPort() > 0 ? uri.getPort() : (tls ? 443 : 80);
    Path ca = null;
    boolean skip = false;
    boolean preserveHost = false;
    int pool = 128;
    if (mapping != null) {
      if (mapping.get("ca").present()) {
        ca = TlsConfig.file(mapping.get("ca"), baseDir);
        if (!tls) {
          mapping.get("ca").error("set for a plain http upstream (expected: an https:// url)");
        }
      }
      skip = mapping.get("insecure-skip-verify").bool(false);
      if (skip) {
        mapping
            .get("insecure-skip-verify")
            .warning(
                "true: the upstream's certificate is not verified (anyone on the path can impersonate it)");
      }
      preserveHost = mapping.get("preserve-host").bool(false);
      pool = mapping.get("pool-size").integer(128, 1, 10_000);
    }
    return new UpstreamConfig(tls, host, port, ca, skip, preserveHost, pool);
  }
}
