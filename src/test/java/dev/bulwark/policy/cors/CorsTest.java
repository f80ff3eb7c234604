package dev.bulwark.policy.cors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CORS through the real gateway (TLS, HTTP/2 and HTTP/1.1): preflights answered or refused at the
 * edge and never forwarded, exact origins only, {@code Vary: Origin} always, the upstream's CORS
 * headers replaced, and gateway-made denials still carrying the headers.
 */
class CorsTest {
  private static final String APP = "https://app.example.com";
  private static final List<String> HOSTILE =
      List.of(
          "https://evil.com",
          "https://app.example.com.evil.com",
          "https://evilapp.example.com",
          "https://evil-example.org",
          "https://example.org.evil.net",
          "null",
          "http://app.example.com",
          "https://app.example.com:8443",
          "https://app.example.com:443",
          "HTTPS://APP.EXAMPLE.COM",
          "https://app.example.com.",
          "https://xn--pp-7cd.example.com",
          "https://app.example.com https://evil.com");

  static StubUpstream upstream;
  static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    upstream = new StubUpstream();
    upstream.on(
        "/items/widened",
        req ->
            req.response()
                .putHeader("access-control-allow-origin", "*")
                .putHeader("access-control-allow-credentials", "true")
                .putHeader("access-control-allow-methods", "PUT, PATCH")
                .putHeader("access-control-expose-headers", "x-secret")
                .putHeader("access-control-allow-private-network", "true")
                .putHeader("vary", "Accept-Encoding")
                .end("ok"));
    upstream.on(
        "/closed/widened",
        req -> req.response().putHeader("access-control-allow-origin", "*").end("closed"));
    upstream.on("/items/boom", req -> req.response().setStatusCode(500).end("stack trace"));
    upstream.on(
        "/legacy/own",
        req -> req.response().putHeader("access-control-allow-origin", APP).end("legacy"));
    gw =
        TestGateway.start(
            """
            # Many refused preflights from one client: without this the default ban rule
            # (20 answers 401/403 in 5 minutes) would ban the test client midway.
            bans: off
            defaults:
              cors:
                origins: [https://app.example.com, "https://*.example.org"]
                methods: [GET, POST, DELETE]
                headers: [Content-Type, X-Api-Version]
                expose-headers: [X-Total-Count]
                credentials: true
                max-age: 5m
            routes:
              - name: items
                match: { path: /items/**, methods: [GET, DELETE] }
                upstream: UPSTREAM
                public: true
              - name: reports
                match: { path: /reports/**, methods: [GET] }
                upstream: UPSTREAM
                public: true
              - name: any-method
                match: { path: /any/** }
                upstream: UPSTREAM
                public: true
              - name: down
                match: { path: /down/** }
                upstream: http://127.0.0.1:1
                public: true
              - name: public
                match: { path: /public/** }
                upstream: UPSTREAM
                public: true
                cors: { origins: ["*"] }
              - name: closed
                match: { path: /closed/** }
                upstream: UPSTREAM
                public: true
                cors: { origins: [] }
              - name: legacy
                match: { path: /legacy/**, methods: [GET] }
                upstream: UPSTREAM
                public: true
                cors: off
            """,
            upstream.port());
  }

  @AfterAll
  static void stop() {
    gw.close();
    upstream.close();
  }

  private static HttpResponse<String> send(String method, String path, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(gw.url(path)))
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return gw.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> preflight(String path, String origin, String method)
      throws Exception {
    return send("OPTIONS", path, "Origin", origin, "Access-Control-Request-Method", method);
  }

  private static void drainUpstream() throws InterruptedException {
    while (upstream.poll(0) != null) {
      // requests of earlier tests
    }
  }

  private static List<String> varyTokens(HttpResponse<?> r) {
    return r.headers().allValues("vary").stream()
        .flatMap(v -> java.util.Arrays.stream(v.split(",")))
        .map(t -> t.trim().toLowerCase(Locale.ROOT))
        .toList();
  }

  private static void assertNoCorsHeaders(HttpResponse<?> r, String what) {
    assertThat(r.headers().map().keySet())
        .as(what)
        .noneMatch(k -> k.toLowerCase(Locale.ROOT).startsWith("access-control-"));
  }

  @Test
  void validPreflightIsAnswered204AtTheEdgeAndNeverForwarded() throws Exception {
    drainUpstream();
    HttpResponse<String> r =
        send(
            "OPTIONS",
            "/items/42",
            "Origin",
            APP,
            "Access-Control-Request-Method",
            "DELETE",
            "Access-Control-Request-Headers",
            "content-type,x-api-version");
    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.body()).isEmpty();
    assertThat(r.headers().allValues("access-control-allow-origin")).containsExactly(APP);
    assertThat(r.headers().firstValue("access-control-allow-methods"))
        .hasValue("GET, POST, DELETE");
    assertThat(r.headers().firstValue("access-control-allow-headers"))
        .hasValue("content-type, x-api-version");
    assertThat(r.headers().firstValue("access-control-max-age")).hasValue("300");
    assertThat(r.headers().firstValue("access-control-allow-credentials")).hasValue("true");
    assertThat(varyTokens(r))
        .contains("origin", "access-control-request-method", "access-control-request-headers");
    assertThat(r.headers().firstValue("strict-transport-security")).isPresent();
    assertThat(r.headers().firstValue("x-request-id")).isPresent();
    gw.awaitLine("\"route\":\"items\"", "\"status\":204", "\"decision\":\"preflight\"");
    assertThat(upstream.poll(200)).as("a preflight is never forwarded").isNull();
  }

  @Test
  void routeThatMatchesOnlyGetIsStillPreflightableForGet() throws Exception {
    drainUpstream();
    HttpResponse<String> r =
        send(
            "OPTIONS",
            "/reports/q1",
            "Origin",
            "https://dash.eu.example.org",
            "Access-Control-Request-Method",
            "GET",
            "Access-Control-Request-Headers",
            "X-Api-Version");
    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.headers().firstValue("access-control-allow-origin"))
        .hasValue("https://dash.eu.example.org");
    // A method the route does not match is not a route's preflight: the router's 405, as before.
    HttpResponse<String> post = preflight("/reports/q1", APP, "POST");
    assertThat(post.statusCode()).isEqualTo(405);
    assertNoCorsHeaders(post, "preflight for a method no route serves");
    assertThat(upstream.poll(200)).isNull();
  }

  @Test
  void preflightFromAnUnlistedOriginIs403JsonWithoutAllowOrigin() throws Exception {
    drainUpstream();
    for (String origin : HOSTILE) {
      HttpResponse<String> r = preflight("/items/1", origin, "GET");
      assertThat(r.statusCode()).as(origin).isEqualTo(403);
      assertThat(r.body()).as(origin).contains("\"error\":\"forbidden\"").contains("requestId");
      assertThat(r.body()).as(origin).doesNotContain("origin");
      assertNoCorsHeaders(r, origin);
      assertThat(varyTokens(r)).as(origin).contains("origin");
    }
    gw.awaitLine("\"status\":403", "cors preflight from an origin not on the list");
    assertThat(upstream.poll(200)).isNull();
  }

  @Test
  void preflightForAMethodOrHeaderNotAllowedIs403() throws Exception {
    drainUpstream();
    // DELETE is served by the any-method route but PUT is not in cors.methods.
    HttpResponse<String> put = preflight("/any/x", APP, "PUT");
    assertThat(put.statusCode()).isEqualTo(403);
    assertNoCorsHeaders(put, "method not allowed");
    HttpResponse<String> header =
        send(
            "OPTIONS",
            "/items/1",
            "Origin",
            APP,
            "Access-Control-Request-Method",
            "GET",
            "Access-Control-Request-Headers",
            "content-type, authorization");
    assertThat(header.statusCode()).isEqualTo(403);
    assertNoCorsHeaders(header, "header not allowed");
    gw.awaitLine("cors preflight for request headers not allowed");
    assertThat(upstream.poll(200)).isNull();
  }

  @Test
  void actualRequestFromAListedOriginGetsExactlyThatOrigin() throws Exception {
    for (String origin : List.of(APP, "https://a.example.org", "https://x.y.example.org")) {
      HttpResponse<String> r = send("GET", "/items/1", "Origin", origin);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().allValues("access-control-allow-origin")).containsExactly(origin);
      assertThat(r.headers().firstValue("access-control-allow-credentials")).hasValue("true");
      assertThat(r.headers().firstValue("access-control-expose-headers")).hasValue("x-total-count");
      assertThat(r.headers().firstValue("access-control-allow-methods")).isEmpty();
      assertThat(varyTokens(r)).containsExactly("origin");
    }
  }

  @Test
  void unlistedOriginsAreServedWithoutAnyCorsHeader() throws Exception {
    drainUpstream();
    for (String origin : HOSTILE) {
      HttpResponse<String> r = send("GET", "/items/1", "Origin", origin);
      assertThat(r.statusCode()).as("the browser enforces; the request proceeds").isEqualTo(200);
      assertNoCorsHeaders(r, origin);
      assertThat(varyTokens(r)).as(origin).contains("origin");
      assertThat(upstream.next().headers().get("origin")).isEqualTo(origin);
    }
    HttpResponse<String> none = send("GET", "/items/1");
    assertNoCorsHeaders(none, "no Origin");
    assertThat(varyTokens(none)).contains("origin");
  }

  @Test
  void severalOriginHeadersOrOriginsInOneAreNoOrigin() throws Exception {
    for (String origins :
        List.of(
            "Origin: " + APP + "\r\nOrigin: https://evil.com\r\n",
            "Origin: https://evil.com\r\nOrigin: " + APP + "\r\n",
            "Origin: " + APP + ", https://evil.com\r\n",
            "Origin: " + APP + " https://evil.com\r\n")) {
      String raw =
          gw.raw(
              "GET /items/1 HTTP/1.1\r\nHost: localhost\r\n"
                  + origins
                  + "Connection: close\r\n\r\n");
      assertThat(raw).as(origins).startsWith("HTTP/1.1 200");
      assertThat(raw.toLowerCase(Locale.ROOT)).as(origins).doesNotContain("access-control-");
      String pre =
          gw.raw(
              "OPTIONS /items/1 HTTP/1.1\r\nHost: localhost\r\n"
                  + origins
                  + "Access-Control-Request-Method: GET\r\nConnection: close\r\n\r\n");
      assertThat(pre).as(origins).startsWith("HTTP/1.1 403");
    }
  }

  @Test
  void preflightOverHttp1Has204WithoutBodyOrLengthAndKeepsTheConnection() throws Exception {
    String raw =
        gw.raw(
            "OPTIONS /items/1 HTTP/1.1\r\nHost: localhost\r\nOrigin: "
                + APP
                + "\r\nAccess-Control-Request-Method: GET\r\n\r\n"
                + "GET /items/1 HTTP/1.1\r\nHost: localhost\r\nOrigin: "
                + APP
                + "\r\nConnection: close\r\n\r\n");
    assertThat(raw).startsWith("HTTP/1.1 204");
    String first = raw.substring(0, raw.indexOf("\r\n\r\n"));
    assertThat(first.toLowerCase(Locale.ROOT))
        .contains("access-control-allow-origin: " + APP)
        .doesNotContain("content-length")
        .doesNotContain("transfer-encoding");
    assertThat(raw.substring(first.length() + 4)).startsWith("HTTP/1.1 200");
  }

  @Test
  void upstreamCorsHeadersAreReplacedSoTheBackendCannotWidenThePolicy() throws Exception {
    HttpResponse<String> listed = send("GET", "/items/widened", "Origin", APP);
    assertThat(listed.headers().allValues("access-control-allow-origin")).containsExactly(APP);
    assertThat(listed.headers().allValues("access-control-allow-credentials"))
        .containsExactly("true");
    assertThat(listed.headers().allValues("access-control-expose-headers"))
        .containsExactly("x-total-count");
    assertThat(listed.headers().firstValue("access-control-allow-methods")).isEmpty();
    assertThat(listed.headers().firstValue("access-control-allow-private-network")).isEmpty();
    assertThat(varyTokens(listed)).containsExactlyInAnyOrder("accept-encoding", "origin");
    HttpResponse<String> hostile = send("GET", "/items/widened", "Origin", "https://evil.com");
    assertNoCorsHeaders(hostile, "the upstream's * is not passed on");
  }

  @Test
  void gatewayMadeDenialsAfterTheCorsStageCarryTheCorsHeaders() throws Exception {
    HttpResponse<String> unreachable = send("GET", "/down/x", "Origin", APP);
    assertThat(unreachable.statusCode()).isEqualTo(502);
    assertThat(unreachable.body()).contains("\"status\":502");
    assertThat(unreachable.headers().firstValue("access-control-allow-origin")).hasValue(APP);
    assertThat(unreachable.headers().firstValue("access-control-allow-credentials"))
        .hasValue("true");
    assertThat(varyTokens(unreachable)).contains("origin");
    HttpResponse<String> masked = send("GET", "/items/boom", "Origin", APP);
    assertThat(masked.statusCode()).isEqualTo(500);
    assertThat(masked.body()).contains("internal error").doesNotContain("stack trace");
    assertThat(masked.headers().firstValue("access-control-allow-origin")).hasValue(APP);
  }

  @Test
  void wildcardRouteAnswersStarAndNeverReflectsNorAllowsCredentials() throws Exception {
    HttpResponse<String> r = send("GET", "/public/x", "Origin", "https://evil.com");
    assertThat(r.headers().allValues("access-control-allow-origin")).containsExactly("*");
    assertThat(r.headers().firstValue("access-control-allow-credentials")).isEmpty();
    HttpResponse<String> pre = preflight("/public/x", "https://evil.com", "POST");
    assertThat(pre.statusCode()).isEqualTo(204);
    assertThat(pre.headers().allValues("access-control-allow-origin")).containsExactly("*");
    assertThat(pre.headers().firstValue("access-control-allow-credentials")).isEmpty();
  }

  @Test
  void anEmptyOriginListAllowsNoOneAndStillStripsTheUpstreamsCors() throws Exception {
    HttpResponse<String> pre = preflight("/closed/widened", APP, "GET");
    assertThat(pre.statusCode()).isEqualTo(403);
    HttpResponse<String> r = send("GET", "/closed/widened", "Origin", APP);
    assertThat(r.body()).isEqualTo("closed");
    assertNoCorsHeaders(r, "origins: []");
    assertThat(varyTokens(r)).contains("origin");
  }

  @Test
  void bareOptionsBehavesAsBefore() throws Exception {
    drainUpstream();
    HttpResponse<String> bare = send("OPTIONS", "/items/1");
    assertThat(bare.statusCode()).isEqualTo(405);
    assertThat(bare.headers().firstValue("allow")).hasValue("DELETE, GET");
    HttpResponse<String> noMethod = send("OPTIONS", "/items/1", "Origin", APP);
    assertThat(noMethod.statusCode()).as("OPTIONS + Origin is not a preflight").isEqualTo(405);
    assertThat(upstream.poll(200)).isNull();
    // On a route that matches OPTIONS, a plain OPTIONS is forwarded like any request.
    HttpResponse<String> forwarded = send("OPTIONS", "/any/x", "Origin", APP);
    assertThat(forwarded.statusCode()).isEqualTo(200);
    assertThat(upstream.next().method()).isEqualTo("OPTIONS");
    assertThat(forwarded.headers().firstValue("access-control-allow-origin")).hasValue(APP);
  }

  @Test
  void routeWithCorsOffLeavesCorsToTheUpstreamAndPreflightsMatchAsBefore() throws Exception {
    HttpResponse<String> own = send("GET", "/legacy/own", "Origin", "https://evil.com");
    assertThat(own.headers().firstValue("access-control-allow-origin")).hasValue(APP);
    assertThat(varyTokens(own)).doesNotContain("origin");
    drainUpstream();
    HttpResponse<String> pre = preflight("/legacy/own", APP, "GET");
    assertThat(pre.statusCode()).as("no cors: matched by OPTIONS, not allowed").isEqualTo(405);
    assertThat(upstream.poll(200)).isNull();
  }
}
