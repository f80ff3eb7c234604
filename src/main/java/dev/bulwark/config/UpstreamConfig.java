package dev.bulwark.config;

import dev.bulwark.identity.SanPattern;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Where a route forwards: scheme, host and port of the upstream, whether its certificate is
 * verified (always, unless {@code insecure-skip-verify} says otherwise) and against which CA
 * bundle, whether the client's Host header is passed on, the keep-alive pool size per event loop,
 * which stripped identity headers this upstream still receives from the client ({@code
 * keep-headers}), whether header names with {@code _} reach it ({@code underscore-headers}), the
 * client certificate and key the gateway presents to it ({@code client-cert}, {@code client-key}:
 * files, or PEM from a secret reference; reloaded when the files change), and the names its
 * certificate must carry beyond the host name check ({@code san}: SPIFFE IDs or DNS names).
 */
public record UpstreamConfig(
    boolean tls,
    String host,
    int port,
    @Nullable Path caBundle,
    boolean insecureSkipVerify,
    boolean preserveHost,
    int poolSize,
    List<String> keepHeaders,
    boolean forwardUnderscoreHeaders,
    KeyCertificatePair clientCertificate,
    List<Path> clientCertificateFiles,
    List<SanPattern> san) {

  static final Set<String> KEYS =
      Set.of(
          "url",
          "ca",
          "insecure-skip-verify",
          "preserve-host",
          "pool-size",
          "keep-headers",
          "underscore-headers",
          "client-cert",
          "client-key",
          "san");

  public UpstreamConfig {
    keepHeaders = List.copyOf(keepHeaders);
    clientCertificateFiles = List.copyOf(clientCertificateFiles);
    san = List.copyOf(san);
  }

  /** An upstream that keeps no identity header and drops header names with {@code _}. */
  public UpstreamConfig(
      boolean tls,
      String host,
      int port,
      @Nullable Path caBundle,
      boolean insecureSkipVerify,
      boolean preserveHost,
      int poolSize) {
    this(
        tls,
        host,
        port,
        caBundle,
        insecureSkipVerify,
        preserveHost,
        poolSize,
        List.of(),
        false,
        KeyCertificatePair.NONE,
        List.of(),
        List.of());
  }

  /** Returns the client certificate and key files of every route's upstream, to watch. */
  public static List<Path> clientCertificateFiles(List<RouteConfig> routes) {
    Set<Path> out = new LinkedHashSet<>();
    for (RouteConfig r : routes) {
      UpstreamConfig u = r.upstream();
      if (u != null) {
        out.addAll(u.clientCertificateFiles());
      }
    }
    return new ArrayList<>(out);
  }

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
      if (!n.expectMapping(KEYS)) {
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
    List<String> keep = List.of();
    boolean underscores = false;
    KeyCertificatePair client = KeyCertificatePair.NONE;
    List<Path> clientFiles = new ArrayList<>();
    List<SanPattern> san = List.of();
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
      keep = keepHeaders(mapping.get("keep-headers"));
      underscores = underscoreHeaders(mapping.get("underscore-headers"));
      client = UpstreamClientCertificate.read(mapping, tls, baseDir, clientFiles);
      san = UpstreamClientCertificate.san(mapping.get("san"), tls, skip);
    }
    return new UpstreamConfig(
        tls, host, port, ca, skip, preserveHost, pool, keep, underscores, client, clientFiles, san);
  }

  /**
   * Reads {@code keep-headers}: identity headers this upstream receives as the client sent them.
   */
  private static List<String> keepHeaders(ConfigNode n) {
    List<String> keep = new ArrayList<>();
    for (ConfigNode h : n.elements()) {
      String s = h.requiredString("a header name such as Remote-User");
      if (s == null) {
        continue;
      }
      if (!s.matches("[A-Za-z0-9!#$%&'*+.^`|~-]{1,64}")) {
        h.invalid("a header name such as Remote-User (letters, digits and '-')");
      } else if (s.regionMatches(true, 0, "x-bulwark-", 0, 10)) {
        h.error(
            s
                + ": the gateway's own identity headers are always replaced (expected: a header such as Remote-User)");
      } else {
        keep.add(s);
      }
    }
    if (!keep.isEmpty()) {
      n.warning(
          String.join(", ", keep)
              + ": any client can send "
              + (keep.size() == 1 ? "it" : "them")
              + " and this upstream receives "
              + (keep.size() == 1 ? "it" : "them")
              + " (keep only what an authenticating proxy in front of Bulwark sets after removing the client's copy)");
    }
    return keep;
  }

  /** Reads {@code underscore-headers}: {@code drop} (the default) or {@code forward}. */
  private static boolean underscoreHeaders(ConfigNode n) {
    String v = n.string("drop or forward", "drop");
    if (v.equals("forward")) {
      n.warning(
          "forward: header names with '_' reach the upstream, and PHP, WSGI and Rack read X_User"
              + " as X-User (twins of headers the gateway sets or strips are still dropped)");
      return true;
    }
    if (!v.equals("drop")) {
      n.invalid("drop or forward");
    }
    return false;
  }
}
