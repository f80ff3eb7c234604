package dev.bulwark.server;

import dev.bulwark.routing.RequestHost;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Decides which host a request names, once, before routing (RFC 9112 §3.2, RFC 9113 §8.3.1): an
 * absolute-form target's authority wins over {@code Host}; HTTP/1.1 needs exactly one valid {@code
 * Host}; on HTTP/2 a {@code Host} beside {@code :authority} must name the same host. Any other
 * request is refused, so two components can never disagree about the host.
 */
final class RequestAuthority {
  /** No host at all (HTTP/1.0 without {@code Host}): routes without a host still match. */
  static final RequestHost NONE = new RequestHost("", -1);

  private RequestAuthority() {}

  /** Returns the request's canonical host, {@link #NONE}, or null when it must be refused. */
  static @Nullable RequestHost of(HttpServerRequest req) {
    List<String> hosts = req.headers().getAll(HttpHeaders.HOST);
    if (hosts.size() > 1) {
      return null;
    }
    @Nullable String header = hosts.isEmpty() ? null : hosts.get(0);
    if (req.version() == HttpVersion.HTTP_2) {
      HostAndPort real = req.authority(true);
      if (real == null) {
        // No :authority: Vert.x took the Host header (if any) out of the headers into authority().
        HostAndPort computed = req.authority();
        return computed == null ? NONE : RequestHost.parse(computed.toString());
      }
      RequestHost a = RequestHost.parse(real.toString());
      if (a == null || header == null) {
        return a;
      }
      return sameHost(a, RequestHost.parse(header)) ? a : null;
    }
    String uri = req.uri();
    RequestHost fromHeader = header == null ? null : RequestHost.parse(header);
    if (header != null && fromHeader == null) {
      return null;
    }
    if (!uri.isEmpty() && uri.charAt(0) != '/') {
      RequestHost target = absoluteFormAuthority(uri);
      if (target == null) {
        return null;
      }
      return req.version() == HttpVersion.HTTP_1_1 && header == null ? null : target;
    }
    if (fromHeader == null) {
      return req.version() == HttpVersion.HTTP_1_1 ? null : NONE;
    }
    return fromHeader;
  }

  /** Whether two hosts name the same origin on the HTTPS listener (no port meaning 443). */
  static boolean sameHost(@Nullable RequestHost a, @Nullable RequestHost b) {
    return a != null
        && b != null
        && a.host().equals(b.host())
        && (a.port() < 0 ? 443 : a.port()) == (b.port() < 0 ? 443 : b.port());
  }

  /** The authority of {@code http://host[:port]/...}; null for any other form or userinfo. */
  static @Nullable RequestHost absoluteFormAuthority(String uri) {
    int start;
    if (uri.regionMatches(true, 0, "https://", 0, 8)) {
      start = 8;
    } else if (uri.regionMatches(true, 0, "http://", 0, 7)) {
      start = 7;
    } else {
      return null;
    }
    int end = start;
    while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
      end++;
    }
    return RequestHost.parse(uri.substring(start, end));
  }
}
