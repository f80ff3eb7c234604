package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Identity headers that backends trust, and header names with '_', never reach an upstream from a
 * client unless the route asks for them; on HTTP/1.1 and HTTP/2.
 */
class ClientHeaderStripTest {
  private static final String CONFIG =
      """
      auth:
        strip-headers: [X-Tenant-Admin]
      routes:
        - name: keeps
          public: true
          match: { path: /keeps/** }
          upstream: { url: UPSTREAM, keep-headers: [Remote-User, X-Tenant-Admin] }
        - name: underscores
          public: true
          match: { path: /underscores/** }
          upstream: { url: UPSTREAM, underscore-headers: forward }
        - name: api
          public: true
          match: { path: /** }
          upstream: UPSTREAM
      """;

  /** What a client could try: every one of these is someone's "trusted" identity header. */
  private static final List<String> IDENTITY =
      List.of(
          "Remote-User",
          "Remote-Groups",
          "X-Remote-User",
          "X-Remote-Group",
          "X-Forwarded-User",
          "X-Forwarded-Email",
          "X-Forwarded-Preferred-Username",
          "X-Forwarded-Groups",
          "X-Auth-Request-User",
          "X-Auth-Request-Email",
          "X-Auth-Request-Groups",
          "X-User",
          "X-Email",
          "X-WEBAUTH-USER",
          "X-Pomerium-Claim-Email",
          "Cf-Access-Authenticated-User-Email",
          "X-Amzn-Oidc-Identity",
          "X-Forwarded-Client-Cert",
          "X-Tenant-Admin");

  /** Headers that name the client's address to backends that trust them. */
  private static final List<String> CLIENT_ADDRESS =
      List.of(
          "X-Real-IP",
          "True-Client-IP",
          "CF-Connecting-IP",
          "CF-Connecting-IPv6",
          "X-Client-IP",
          "X-Cluster-Client-IP",
          "Fastly-Client-IP",
          "X-Originating-IP",
          "Client-IP",
          "X-Original-Forwarded-For",
          "X-Envoy-External-Address");

  private static final List<String> UNDERSCORED =
      List.of("X_Forwarded_For", "X_Bulwark_Assertion", "Transfer_Encoding", "Remote_User");

  private static HttpResponse<String> sendH2(TestGateway gw, String path, Map<String, String> h)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.url(path)));
    h.forEach(b::header);
    HttpResponse<String> r = gw.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
    return r;
  }

  private static String sendH1(TestGateway gw, String path, Map<String, String> h)
      throws Exception {
    StringBuilder sb = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n");
    h.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
    return gw.raw(sb.append("Connection: close\r\n\r\n").toString());
  }

  private static Map<String, String> headers(List<String> names) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (String n : names) {
      out.put(n, "mallory");
    }
    out.put("X-Trace", "kept");
    out.put("X-Custom", "kept");
    return out;
  }

  @Test
  void wellKnownIdentityHeadersFromClientsNeverReachTheUpstream() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = TestGateway.start(CONFIG, upstream.port())) {
      assertThat(sendH2(gw, "/api/x", headers(IDENTITY)).statusCode()).isEqualTo(200);
      StubUpstream.Received h2 = upstream.next();
      assertThat(sendH1(gw, "/api/x", headers(IDENTITY))).startsWith("HTTP/1.1 200");
      StubUpstream.Received h1 = upstream.next();
      for (StubUpstream.Received seen : List.of(h2, h1)) {
        for (String name : IDENTITY) {
          assertThat(seen.headers().contains(name)).as(name).isFalse();
        }
        assertThat(seen.headers().get("x-trace")).isEqualTo("kept");
        assertThat(seen.headers().toString()).doesNotContain("mallory");
      }
    }
  }

  @Test
  void clientAddressHeadersFromClientsNeverReachTheUpstream() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = TestGateway.start(CONFIG, upstream.port())) {
      Map<String, String> h = new java.util.LinkedHashMap<>();
      for (String n : CLIENT_ADDRESS) {
        h.put(n, "203.0.113.66");
      }
      h.put("X-Trace", "kept");
      assertThat(sendH2(gw, "/api/x", h).statusCode()).isEqualTo(200);
      StubUpstream.Received h2 = upstream.next();
      assertThat(sendH1(gw, "/api/x", h)).startsWith("HTTP/1.1 200");
      StubUpstream.Received h1 = upstream.next();
      // A route that forwards '_' names still drops the twins (True_Client_IP reads as
      // HTTP_TRUE_CLIENT_IP in PHP, WSGI and Rack); keep-headers does not bring them back either.
      Map<String, String> twins = new java.util.LinkedHashMap<>();
      for (String n : CLIENT_ADDRESS) {
        twins.put(n.replace('-', '_'), "203.0.113.66");
      }
      sendH2(gw, "/underscores/x", twins);
      StubUpstream.Received h2Twins = upstream.next();
      sendH1(gw, "/underscores/x", twins);
      StubUpstream.Received h1Twins = upstream.next();
      for (StubUpstream.Received seen : List.of(h2, h1, h2Twins, h1Twins)) {
        assertThat(seen.headers().toString()).doesNotContain("203.0.113.66");
        assertThat(seen.headers().get("x-forwarded-for")).isEqualTo("127.0.0.1");
      }
      assertThat(h1.headers().get("x-trace")).isEqualTo("kept");
    }
  }

  @Test
  void aRouteKeepsOnlyTheIdentityHeadersItNames() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = TestGateway.start(CONFIG, upstream.port())) {
      sendH2(gw, "/keeps/x", headers(IDENTITY));
      StubUpstream.Received h2 = upstream.next();
      sendH1(gw, "/keeps/x", headers(IDENTITY));
      StubUpstream.Received h1 = upstream.next();
      for (StubUpstream.Received seen : List.of(h2, h1)) {
        assertThat(seen.headers().get("remote-user")).isEqualTo("mallory");
        assertThat(seen.headers().get("x-tenant-admin")).isEqualTo("mallory");
        assertThat(seen.headers().contains("X-Remote-User")).isFalse();
        assertThat(seen.headers().contains("X-Forwarded-User")).isFalse();
      }
    }
  }

  @Test
  void headerNamesWithUnderscoresAreDroppedByDefault() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = TestGateway.start(CONFIG, upstream.port())) {
      Map<String, String> h = headers(UNDERSCORED);
      h.put("X_Custom", "underscored");
      assertThat(sendH2(gw, "/api/x", h).statusCode()).isEqualTo(200);
      StubUpstream.Received h2 = upstream.next();
      assertThat(sendH1(gw, "/api/x", h)).startsWith("HTTP/1.1 200");
      StubUpstream.Received h1 = upstream.next();
      for (StubUpstream.Received seen : List.of(h2, h1)) {
        for (String name : seen.headers().names()) {
          assertThat(name).as("a name with '_' reached the upstream").doesNotContain("_");
        }
        assertThat(seen.headers().get("x-custom")).isEqualTo("kept");
        assertThat(seen.headers().get("x-forwarded-for")).isEqualTo("127.0.0.1");
      }
    }
  }

  @Test
  void aRouteMayForwardUnderscoreNamesButNeverTwinsOfHeadersTheGatewaySetsOrStrips()
      throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = TestGateway.start(CONFIG, upstream.port())) {
      Map<String, String> h = headers(UNDERSCORED);
      h.put("X_Custom", "underscored");
      sendH2(gw, "/underscores/x", h);
      StubUpstream.Received h2 = upstream.next();
      sendH1(gw, "/underscores/x", h);
      StubUpstream.Received h1 = upstream.next();
      for (StubUpstream.Received seen : List.of(h2, h1)) {
        assertThat(seen.headers().get("x_custom")).isEqualTo("underscored");
        for (String name : UNDERSCORED) {
          assertThat(seen.headers().contains(name)).as(name).isFalse();
        }
      }
    }
  }

  @Test
  void forwardingHeadersFromAnUntrustedPeerAreWarnedAboutOncePerInterval() throws Exception {
    Logger log = Logger.getLogger("dev.bulwark.proxy.UntrustedForwardingWarning");
    List<String> warnings = new CopyOnWriteArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            warnings.add(r.getMessage());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    log.addHandler(capture);
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = TestGateway.start(CONFIG, upstream.port())) {
      sendH2(gw, "/api/a", Map.of());
      upstream.next();
      assertThat(warnings).as("no forwarding header, no warning").isEmpty();
      sendH2(gw, "/api/b", Map.of("X-Forwarded-For", "198.51.100.7"));
      upstream.next();
      assertThat(sendH1(gw, "/api/c", Map.of("Forwarded", "for=198.51.100.8")))
          .startsWith("HTTP/1.1 200");
      upstream.next();
      assertThat(warnings).hasSize(1);
      assertThat(warnings.get(0))
          .contains("requests from 127.0.0.1 carry X-Forwarded-For", "trusted-proxies");
    } finally {
      log.removeHandler(capture);
    }
  }
}
