package dev.bulwark.probe;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Reaches the target: the first TLS handshake and the baseline GET, with redirect handling. */
final class TargetChecks {
  static final Check REACHABLE =
      new Check(
          "target.tls",
          CheckFamily.TARGET,
          Severity.INFO,
          "Target accepts a TLS 1.2/1.3 connection",
          "Check the host, the port and that the port serves TLS.");
  static final Check HTTP =
      new Check(
          "target.http",
          CheckFamily.TARGET,
          Severity.INFO,
          "Target answers HTTP on the probed path",
          "Check that the port serves HTTP/1.1 over TLS and answers within the timeout.");
  static final Check REDIRECTS =
      new Check(
          "target.redirects",
          CheckFamily.TARGET,
          Severity.INFO,
          "Redirects stay on the target and end",
          "Point --path at a page that answers directly; the probe never leaves the target.");

  /** How many same-origin redirects the baseline follows. */
  static final int MAX_REDIRECTS = 5;

  private TargetChecks() {}

  /** Explains why the first TLS handshake failed, looking at the raw answer to a ClientHello. */
  static Finding unreachable(ProbeTarget target, IOException e, ClientHelloProbe hello) {
    String where = target.host() + ":" + target.port();
    if (e instanceof UnknownHostException) {
      return REACHABLE.fail("unknown host " + target.host());
    }
    if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
      return REACHABLE.fail("cannot connect to " + where + ": " + e.getMessage());
    }
    if (e instanceof SocketTimeoutException) {
      return REACHABLE.fail("no TLS handshake with " + where + " within the timeout");
    }
    String raw;
    try {
      ClientHelloProbe.Answer answer = hello.offer(TlsVersion.TLS_1_2, CipherSuite.CATALOG);
      if (answer instanceof ClientHelloProbe.NotTls n) {
        raw =
            n.firstBytes().startsWith("\"HTTP/")
                ? "the port speaks plain HTTP, not TLS (first bytes: " + n.firstBytes() + ")"
                : "the port does not speak TLS (first bytes: " + n.firstBytes() + ")";
      } else if (answer instanceof ClientHelloProbe.Refused r) {
        raw = "a raw TLS 1.2 ClientHello was refused: " + r.reason();
      } else {
        ClientHelloProbe.Accepted a = (ClientHelloProbe.Accepted) answer;
        raw = "the server would negotiate " + a.version() + " with " + a.suite().name();
      }
    } catch (IOException again) {
      raw = "no answer to a raw ClientHello: " + ProbeContext.describe(again);
    }
    return REACHABLE.fail(
        "TLS handshake with " + where + " failed (" + e.getMessage() + "); " + raw);
  }

  /** The baseline response and what happened on the way to it. */
  record Baseline(@Nullable ProbeResponse response, Finding http, Finding redirects) {}

  /** Fetches the probed path, following at most a few redirects that stay on the same origin. */
  static Baseline fetch(ProbeTarget target, ProbeHttpClient client) {
    String path = target.path();
    Set<String> seen = new HashSet<>();
    seen.add(path);
    ProbeResponse response = null;
    for (int hop = 0; ; hop++) {
      try {
        response = client.send(ProbeRequest.get(path));
      } catch (ProtocolException e) {
        return new Baseline(
            null,
            HTTP.fail("GET " + path + ": not an HTTP answer (" + e.getMessage() + ")"),
            REDIRECTS.skip("no HTTP answer"));
      } catch (IOException e) {
        return new Baseline(
            null,
            HTTP.fail("GET " + path + ": " + ProbeContext.describe(e)),
            REDIRECTS.skip("no HTTP answer"));
      }
      String location = response.header("Location");
      if (!response.isRedirect() || location == null) {
        Finding redirects =
            hop == 0
                ? REDIRECTS.pass("no redirect")
                : REDIRECTS.pass("followed " + hop + " same-origin redirect(s) to " + path);
        String truncated =
            response.bodyTruncated()
                ? " (body longer than "
                    + client.maxBodyBytes() / 1024
                    + " KiB; rest not read, truncated)"
                : "";
        return new Baseline(
            response,
            HTTP.pass("GET " + path + " -> " + response.statusLine() + truncated),
            redirects);
      }
      String next = sameOriginTarget(target, path, location);
      Finding http = HTTP.pass("GET " + path + " -> " + response.statusLine());
      if (next == null) {
        return new Baseline(
            response,
            http,
            REDIRECTS.warn(
                response.status()
                    + " to "
                    + location
                    + " leaves the target; not followed, checks use the redirect response"));
      }
      if (!seen.add(next)) {
        return new Baseline(
            response, http, REDIRECTS.warn("redirect loop: " + path + " -> " + next));
      }
      if (hop + 1 >= MAX_REDIRECTS) {
        return new Baseline(
            response,
            http,
            REDIRECTS.warn("more than " + MAX_REDIRECTS + " redirects; stopped at " + path));
      }
      path = next;
    }
  }

  /** Returns the request target of a same-origin Location, or {@code null} for another origin. */
  static @Nullable String sameOriginTarget(
      ProbeTarget target, String currentPath, String location) {
    URI resolved;
    try {
      resolved = URI.create(target.origin() + currentPath).resolve(location.trim());
    } catch (IllegalArgumentException e) {
      return null;
    }
    String scheme = resolved.getScheme();
    String host = resolved.getHost();
    if (scheme == null || host == null || !scheme.equalsIgnoreCase("https")) {
      return null;
    }
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    int port = resolved.getPort() == -1 ? 443 : resolved.getPort();
    if (!bare.toLowerCase(Locale.ROOT).equals(target.host()) || port != target.port()) {
      return null;
    }
    String rawPath =
        resolved.getRawPath() == null || resolved.getRawPath().isEmpty()
            ? "/"
            : resolved.getRawPath();
    return resolved.getRawQuery() == null ? rawPath : rawPath + "?" + resolved.getRawQuery();
  }
}
