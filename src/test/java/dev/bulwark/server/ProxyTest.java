package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The reverse proxy end to end: forwarding, header hygiene, security headers, masking. */
class ProxyTest {
  static StubUpstream upstream;
  static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    upstream = new StubUpstream();
    upstream.on(
        "/api/banner",
        req ->
            req.response()
                .putHeader("server", "Apache/2.4.1 (Unix)")
                .putHeader("x-powered-by", "PHP/5.4.0")
                .putHeader("connection", "x-secret-hop")
                .putHeader("x-secret-hop", "should not pass")
                .putHeader("content-security-policy", "default-src *")
                .end("ok"));
    upstream.on(
        "/api/boom",
        req ->
            req.response()
                .setStatusCode(500)
                .putHeader("content-type", "text/plain")
                .end(
                    "java.lang.NullPointerException\n\tat com.acme.Secret(Secret.java:1) password=hunter2"));
    upstream.on(
        "/api/big",
        req -> {
          // A declared length delivered in many writes, so the gateway sees many chunks.
          Buffer body = Buffer.buffer("b".repeat(300_000));
          req.response().putHeader("content-length", String.valueOf(body.length()));
          for (int i = 0; i < body.length(); i += 10_000) {
            req.response().write(body.slice(i, Math.min(body.length(), i + 10_000)));
          }
          req.response().end();
        });
    upstream.on(
        "/api/streamed",
        req -> {
          req.response().setChunked(true).write("part1,");
          req.response().write("part2,");
          req.response().end("end");
        });
    upstream.on(
        "/api/teapot",
        req -> req.response().setStatusCode(418).end("{\"detail\":\"short and stout\"}"));
    gw =
        TestGateway.start(
            """
            routes:
              - name: api
                public: true
                match: { path: /api/** }
                upstream: UPSTREAM
              - name: orgs
                public: true
                match: { path: "/orgs/{org}/items", methods: [GET] }
                upstream: UPSTREAM
              - name: web
                public: true
                match: { path: /web/** }
                upstream: UPSTREAM
                headers: { preset: web, set: { X-Frame-Options: SAMEORIGIN } }
            """,
            upstream.port());
  }

  @AfterAll
  static void stop() {
    gw.close();
    upstream.close();
  }

  @Test
  void forwardsOverHttp2WithStrictHeadersAndRequestId() throws Exception {
    HttpResponse<String> r = gw.get("/api/hello?q=1");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(r.body()).contains("\"path\":\"/api/hello\"");
    assertThat(r.headers().firstValue("strict-transport-security"))
        .hasValue("max-age=31536000; includeSubDomains");
    assertThat(r.headers().firstValue("content-security-policy"))
        .hasValue("default-src 'none'; frame-ancestors 'none'");
    assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    assertThat(r.headers().firstValue("x-frame-options")).hasValue("DENY");
    assertThat(r.headers().firstValue("referrer-policy")).hasValue("no-referrer");
    assertThat(r.headers().firstValue("cross-origin-opener-policy")).hasValue("same-origin");
    assertThat(r.headers().firstValue("cross-origin-resource-policy")).hasValue("same-origin");
    assertThat(r.headers().firstValue("permissions-policy")).isPresent();
    String id = r.headers().firstValue("x-request-id").orElseThrow();
    StubUpstream.Received seen = upstream.next();
    assertThat(seen.uri()).isEqualTo("/api/hello?q=1");
    assertThat(seen.headers().get("x-request-id")).isEqualTo(id);
    assertThat(seen.headers().get("x-forwarded-for")).isEqualTo("127.0.0.1");
    assertThat(seen.headers().get("x-forwarded-proto")).isEqualTo("https");
    assertThat(seen.headers().get("x-forwarded-host")).isEqualTo("localhost:" + gw.httpsPort());
    assertThat(seen.headers().get("forwarded")).startsWith("for=127.0.0.1;proto=https;host=");
    assertThat(seen.headers().get("host")).isEqualTo("127.0.0.1:" + upstream.port());
    gw.awaitLine("\"requestId\":\"" + id + "\"", "\"status\":200", "\"route\":\"api\"");
  }

  @Test
  void spoofedForwardingHeadersFromUntrustedPeerAreReplaced() throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(gw.url("/api/spoof")))
            .header("X-Forwarded-For", "6.6.6.6")
            .header("Forwarded", "for=6.6.6.6")
            .header("X-Request-Id", "attacker-chosen")
            .header("X-Forwarded-Proto", "http")
            .build();
    HttpResponse<String> r = gw.client().send(req, HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-request-id")).get().isNotEqualTo("attacker-chosen");
    StubUpstream.Received seen = upstream.next();
    assertThat(seen.headers().get("x-forwarded-for")).isEqualTo("127.0.0.1");
    assertThat(seen.headers().get("forwarded")).doesNotContain("6.6.6.6");
    assertThat(seen.headers().get("x-forwarded-proto")).isEqualTo("https");
    assertThat(seen.headers().get("x-request-id")).isNotEqualTo("attacker-chosen");
  }

  @Test
  void bannersAndConnectionListedHeadersAreRemovedAndGatewayHeadersWin() throws Exception {
    HttpResponse<String> r = gw.get("/api/banner");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("server")).isEmpty();
    assertThat(r.headers().firstValue("x-powered-by")).isEmpty();
    assertThat(r.headers().firstValue("x-secret-hop")).isEmpty();
    assertThat(r.headers().firstValue("content-security-policy"))
        .hasValue("default-src 'none'; frame-ancestors 'none'");
    upstream.next();
  }

  @Test
  void hopByHopRequestHeadersNeverReachTheUpstream() throws Exception {
    String res =
        gw.raw(
            "GET /api/hop HTTP/1.1\r\nHost: localhost\r\nConnection: close, x-internal\r\nX-Internal: secret\r\n"
                + "Keep-Alive: timeout=5\r\nProxy-Authorization: Basic Zm9vOmJhcg==\r\nTE: trailers\r\nUpgrade: h2c\r\n\r\n");
    assertThat(res).startsWith("HTTP/1.1 200");
    StubUpstream.Received seen = upstream.next();
    for (String h :
        new String[] {"x-internal", "keep-alive", "proxy-authorization", "te", "upgrade"}) {
      assertThat(seen.headers().contains(h)).as(h).isFalse();
    }
  }

  @Test
  void upstream5xxBodyIsMaskedAndOriginalIsLoggedRedacted() throws Exception {
    HttpResponse<String> r = gw.get("/api/boom");
    assertThat(r.statusCode()).isEqualTo(500);
    String id = r.headers().firstValue("x-request-id").orElseThrow();
    assertThat(r.body())
        .isEqualTo("{\"error\":\"internal error\",\"status\":500,\"requestId\":\"" + id + "\"}");
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(r.headers().firstValue("cache-control")).hasValue("no-store");
    String logged = gw.awaitLine("upstream-error-masked", id);
    assertThat(logged)
        .contains("NullPointerException")
        .contains("password=[REDACTED]")
        .doesNotContain("hunter2");
    upstream.next();
  }

  @Test
  void upstream4xxPassesThroughWithNoStore() throws Exception {
    HttpResponse<String> r = gw.get("/api/teapot");
    assertThat(r.statusCode()).isEqualTo(418);
    assertThat(r.body()).contains("short and stout");
    assertThat(r.headers().firstValue("cache-control")).hasValue("no-store");
    upstream.next();
  }

  @Test
  void unknownPathGetsJson404WithHeaders() throws Exception {
    HttpResponse<String> r = gw.get("/nowhere");
    assertThat(r.statusCode()).isEqualTo(404);
    String id = r.headers().firstValue("x-request-id").orElseThrow();
    assertThat(r.body())
        .isEqualTo("{\"error\":\"not found\",\"status\":404,\"requestId\":\"" + id + "\"}");
    assertThat(r.headers().firstValue("strict-transport-security")).isPresent();
    gw.awaitLine(id, "\"route\":\"none\"", "\"reason\":\"no route\"");
  }

  @Test
  void keptAliveConnectionSurvivesADenialWithoutBody() throws Exception {
    String res =
        gw.raw(
            "GET /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n"
                + "GET /api/after HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assertThat(res).startsWith("HTTP/1.1 404").contains("HTTP/1.1 200");
    assertThat(upstream.next().uri()).isEqualTo("/api/after");
  }

  @Test
  void deniedRequestWithUnreadBodyClosesTheConnection() throws Exception {
    String res =
        gw.raw(
            "POST /nowhere HTTP/1.1\r\nHost: localhost\r\nContent-Length: 40\r\n\r\n"
                + "GET /api/smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(res).startsWith("HTTP/1.1 404").doesNotContain("HTTP/1.1 200");
    assertThat(upstream.poll(300)).isNull();
  }

  @Test
  void methodNotAllowedOnRouteAnswers405WithAllow() throws Exception {
    HttpResponse<String> r =
        gw.client()
            .send(
                HttpRequest.newBuilder(URI.create(gw.url("/orgs/acme/items"))).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("allow")).hasValue("GET");
    assertThat(r.body()).contains("\"status\":405");
  }

  @Test
  void traceConnectAndInventedMethodsAreRefused() throws Exception {
    for (String m : new String[] {"TRACE", "CONNECT", "BULWARKPROBE", "PROPFIND"}) {
      String target = m.equals("CONNECT") ? "localhost:443" : "/api/x";
      String res =
          gw.raw(m + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
      assertThat(res).as(m).matches("(?s)HTTP/1\\.1 (501|400) .*").contains("\"requestId\"");
    }
    assertThat(upstream.poll(200)).isNull();
  }

  @Test
  void templateRouteForwardsNormalisedPath() throws Exception {
    HttpResponse<String> r = gw.get("/orgs/%61cme/items");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(upstream.next().uri()).isEqualTo("/orgs/acme/items");
  }

  @Test
  void ambiguousPathsAreRefusedBeforeRouting() throws Exception {
    for (String p :
        new String[] {
          "/api/%2e%2e/admin", "/api/..%2fadmin", "/api//x", "/api/a%2Fb", "/api/%00"
        }) {
      String res = gw.raw("GET " + p + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
      assertThat(res).as(p).startsWith("HTTP/1.1 400").contains("\"error\":\"bad request\"");
    }
    assertThat(upstream.poll(200)).isNull();
  }

  @Test
  void webPresetWithOverrideApplies() throws Exception {
    HttpResponse<String> r = gw.get("/web/page");
    assertThat(r.headers().firstValue("x-frame-options")).hasValue("SAMEORIGIN");
    assertThat(r.headers().firstValue("content-security-policy"))
        .get()
        .asString()
        .contains("default-src 'self'");
    assertThat(r.headers().firstValue("referrer-policy"))
        .hasValue("strict-origin-when-cross-origin");
    upstream.next();
  }

  @Test
  void responseBodiesArriveWholeWhateverTheirFramingAndProtocol() throws Exception {
    HttpResponse<String> small = gw.get("/api/teapot");
    assertThat(small.body()).isEqualTo("{\"detail\":\"short and stout\"}");
    HttpResponse<String> big = gw.get("/api/big");
    assertThat(big.statusCode()).isEqualTo(200);
    assertThat(big.body()).hasSize(300_000).matches("b+");
    assertThat(gw.get("/api/streamed").body()).isEqualTo("part1,part2,end");
    HttpResponse<String> head =
        gw.client()
            .send(
                HttpRequest.newBuilder(URI.create(gw.url("/api/big")))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    // HTTP/1.1 on one kept-alive connection: both answers complete and correctly framed.
    String twice =
        gw.raw(
            "GET /api/teapot HTTP/1.1\r\nHost: localhost\r\n\r\n"
                + "GET /api/streamed HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assertThat(twice).contains("short and stout").contains("part1,").contains("end");
    assertThat(twice.split("HTTP/1.1 ", -1)).hasSize(3);
    for (String uri :
        new String[] {
          "/api/teapot", "/api/big", "/api/streamed", "/api/big", "/api/teapot", "/api/streamed"
        }) {
      assertThat(upstream.next().uri()).isEqualTo(uri); // leaves the queue as the test found it
    }
  }

  @Test
  void postBodyStreamsThroughBothFramings() throws Exception {
    String body = "x".repeat(100_000);
    HttpResponse<String> r =
        gw.client()
            .send(
                HttpRequest.newBuilder(URI.create(gw.url("/api/upload")))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(upstream.next().body().length()).isEqualTo(100_000);
    String chunked =
        gw.raw(
            "POST /api/upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    assertThat(chunked).startsWith("HTTP/1.1 200");
    assertThat(upstream.next().body().toString()).isEqualTo("hello world");
  }

  @Test
  void redirectListenerSends308ToHttpsKeepingPathAndQuery() throws Exception {
    HttpClient plain = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    HttpResponse<String> r =
        plain.send(
            HttpRequest.newBuilder(
                    URI.create("http://localhost:" + gw.gateway().httpPort() + "/api/x?a=1&b=2"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(308);
    assertThat(r.headers().firstValue("location"))
        .hasValue("https://localhost:" + gw.httpsPort() + "/api/x?a=1&b=2");
    assertThat(upstream.poll(200)).isNull();
  }

  @Test
  void adminListenerServesMetricsAndHealth() throws Exception {
    gw.get("/api/metrics-probe");
    upstream.next();
    HttpClient plain = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + gw.gateway().adminPort();
    HttpResponse<String> metrics =
        plain.send(
            HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("bulwark_requests_total{route=\"api\",status_class=\"2xx\"}")
        .contains("bulwark_request_duration_seconds_bucket{route=\"api\"")
        .contains("bulwark_log_lines_dropped_total 0.0");
    assertThat(
            plain
                .send(
                    HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(200);
    assertThat(
            plain
                .send(
                    HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void credentialQueryParametersAreRedactedInTheAccessLog() throws Exception {
    HttpResponse<String> r = gw.get("/api/login?user=bob&access_token=abc123&apiKey=zzz");
    String id = r.headers().firstValue("x-request-id").orElseThrow();
    String line = gw.awaitLine(id);
    assertThat(line)
        .contains("user=bob")
        .contains("access_token=[REDACTED]")
        .contains("apiKey=[REDACTED]")
        .doesNotContain("abc123")
        .doesNotContain("zzz");
    upstream.next();
  }
}
