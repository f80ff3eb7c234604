package dev.bulwark.policy.bans;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** Automatic bans through the real gateway, and the admin ban API. */
class BanTest {
  private static final String RULES =
      """
      bans:
        exempt: []
        rules:
          - { name: auth-failures, status: [401, 403], count: 3, window: 1m, ban: 1m, max-ban: 1h }
      routes:
        - name: login
          match: { path: /login }
          upstream: UPSTREAM
          public: true
        - name: api
          match: { path: /api/** }
          upstream: UPSTREAM
          public: true
      """;

  private static StubUpstream upstreamAnswering401() throws Exception {
    StubUpstream upstream = new StubUpstream();
    upstream.on("/login", req -> req.response().setStatusCode(401).end("{\"error\":\"nope\"}"));
    return upstream;
  }

  private static HttpResponse<String> admin(
      TestGateway gw, String method, String path, @org.jspecify.annotations.Nullable String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.gateway().adminPort() + path));
    if (body != null) {
      b.header("content-type", "application/json");
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void repeated401sBanTheClientEverywhereWith403AndASecurityEvent() throws Exception {
    try (StubUpstream upstream = upstreamAnswering401();
        TestGateway gw = TestGateway.start(RULES, upstream.port())) {
      for (int i = 0; i < 3; i++) {
        assertThat(gw.get("/login").statusCode()).isEqualTo(401);
      }
      String event = gw.awaitLine("\"type\":\"security\"", "\"event\":\"ban\"", "auth-failures");
      assertThat(event).contains("\"client\":\"127.0.0.1\"");
      HttpResponse<String> refused = gw.get("/api/anything");
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.body())
          .contains("\"error\":\"client temporarily blocked\"", "\"requestId\"")
          .doesNotContain("ban");
      gw.awaitLine("\"status\":403", "client banned", "\"decision\":\"deny\"");
      while (upstream.poll(100) != null) {
        // drain the three /login requests
      }
      assertThat(gw.get("/api/more").statusCode()).isEqualTo(403);
      assertThat(upstream.poll(200)).as("nothing from a banned client is forwarded").isNull();
      // The admin listener is never behind bans or ip-filter: the operator can always lift it.
      HttpResponse<String> list = admin(gw, "GET", "/bans", null);
      assertThat(list.statusCode()).isEqualTo(200);
      assertThat(list.body()).contains("\"address\":\"127.0.0.1\"", "\"by\":\"auth-failures\"");
      HttpResponse<String> lifted = admin(gw, "DELETE", "/bans/127.0.0.1", null);
      assertThat(lifted.statusCode()).isEqualTo(200);
      gw.awaitLine("\"event\":\"unban\"");
      assertThat(gw.get("/api/again").statusCode()).isEqualTo(200);
      assertThat(admin(gw, "DELETE", "/bans/127.0.0.1", null).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void anAdminBanOfTheIpv4MappedFormHoldsForThePlainAddress() throws Exception {
    try (StubUpstream upstream = upstreamAnswering401();
        TestGateway gw = TestGateway.start(RULES, upstream.port())) {
      HttpResponse<String> made =
          admin(
              gw,
              "POST",
              "/bans",
              "{\"address\":\"::ffff:127.0.0.1\",\"duration\":\"10m\",\"reason\":\"test\"}");
      assertThat(made.statusCode()).isEqualTo(201);
      assertThat(made.body()).contains("\"address\":\"127.0.0.1\"", "\"by\":\"admin\"");
      assertThat(gw.get("/api/x").statusCode()).isEqualTo(403);
      assertThat(admin(gw, "DELETE", "/bans/%3A%3Affff%3A127.0.0.1", null).statusCode())
          .isEqualTo(200);
      assertThat(gw.get("/api/x").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void theAdminApiRefusesBadInputAndCrossSiteForms() throws Exception {
    try (StubUpstream upstream = upstreamAnswering401();
        TestGateway gw = TestGateway.start(RULES, upstream.port())) {
      HttpRequest form =
          HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + gw.gateway().adminPort() + "/bans"))
              .header("content-type", "text/plain")
              .POST(HttpRequest.BodyPublishers.ofString("{\"address\":\"127.0.0.1\"}"))
              .build();
      assertThat(
              HttpClient.newHttpClient()
                  .send(form, HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(415);
      assertThat(admin(gw, "POST", "/bans", "{\"address\":\"not-an-ip\"}").statusCode())
          .isEqualTo(400);
      assertThat(
              admin(gw, "POST", "/bans", "{\"address\":\"10.0.0.1\",\"duration\":\"-5m\"}")
                  .statusCode())
          .isEqualTo(400);
      assertThat(admin(gw, "POST", "/bans", "{not json").statusCode()).isEqualTo(400);
      assertThat(
              admin(gw, "POST", "/bans", "{\"address\":\"" + "1".repeat(5000) + "\"}").statusCode())
          .isEqualTo(413);
      // The same oversized body without a declared length (chunked) is cut off while it streams.
      HttpRequest chunked =
          HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + gw.gateway().adminPort() + "/bans"))
              .header("content-type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.fromPublisher(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"address\":\"" + "1".repeat(50_000) + "\"}")))
              .build();
      int chunkedStatus;
      try {
        chunkedStatus =
            HttpClient.newHttpClient()
                .send(chunked, HttpResponse.BodyHandlers.ofString())
                .statusCode();
      } catch (java.io.IOException closedWhileSending) {
        chunkedStatus = 413; // the gateway may close before the client has finished sending
      }
      assertThat(chunkedStatus).isEqualTo(413);
      try (java.net.Socket raw = new java.net.Socket("127.0.0.1", gw.gateway().adminPort())) {
        raw.getOutputStream()
            .write(
                "DELETE /bans/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String answer =
            new String(
                raw.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(answer).as("a malformed escape in the address").startsWith("HTTP/1.1 400");
      }
      assertThat(admin(gw, "GET", "/bans", null).body()).isEqualTo("{\"bans\":[]}");
      assertThat(gw.get("/api/x").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void maxBansBoundsTheBanList() throws Exception {
    try (StubUpstream upstream = upstreamAnswering401();
        TestGateway gw =
            TestGateway.start(
                RULES.replace("bans:\n", "bans:\n  max-bans: 1\n"), upstream.port())) {
      assertThat(admin(gw, "POST", "/bans", "{\"address\":\"192.0.2.1\"}").statusCode())
          .isEqualTo(201);
      HttpResponse<String> full = admin(gw, "POST", "/bans", "{\"address\":\"192.0.2.2\"}");
      assertThat(full.statusCode()).isEqualTo(503);
      assertThat(full.body()).contains("ban list full");
      assertThat(admin(gw, "GET", "/bans", null).body())
          .contains("192.0.2.1")
          .doesNotContain("192.0.2.2");
    }
  }

  @Test
  void dropClosesTheConnectionOfABannedClientWithoutAnAnswer() throws Exception {
    try (StubUpstream upstream = upstreamAnswering401();
        TestGateway gw =
            TestGateway.start(
                RULES.replace("bans:\n", "bans:\n  action: drop\n"), upstream.port())) {
      assertThat(admin(gw, "POST", "/bans", "{\"address\":\"127.0.0.1\"}").statusCode())
          .isEqualTo(201);
      try (SSLSocket s = gw.rawSocket()) {
        s.getOutputStream().write("GET /api/x HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes());
        InputStream in = s.getInputStream();
        assertThat(in.read()).as("closed without a response").isEqualTo(-1);
      } catch (java.io.IOException closedDuringHandshake) {
        // The connection was closed at accept: also a drop.
      }
    }
  }

  @Test
  void exemptAddressesAndTrustedProxiesAreNeverBanned() throws Exception {
    try (StubUpstream upstream = upstreamAnswering401();
        TestGateway gw =
            TestGateway.start(
                RULES.replace("exempt: []", "exempt: [127.0.0.0/8]"), upstream.port())) {
      for (int i = 0; i < 6; i++) {
        assertThat(gw.get("/login").statusCode()).isEqualTo(401);
      }
      assertThat(gw.get("/api/x").statusCode()).isEqualTo(200);
      assertThat(gw.lines()).noneMatch(l -> l.contains("\"event\":\"ban\""));
    }
  }

  @Test
  void theBanAnswerSaysTheClientIsTemporarilyBlockedAndWhenToComeBackOnHttp2AndHttp1()
      throws Exception {
    try (StubUpstream upstream = upstreamAnswering401();
        TestGateway gw = TestGateway.start(RULES, upstream.port())) {
      for (int i = 0; i < 3; i++) {
        assertThat(gw.get("/login").statusCode()).isEqualTo(401);
      }
      // No waiting for the ban event: the third failure's ban holds for the very next request.
      HttpResponse<String> h2 = gw.get("/api/anything");
      assertThat(h2.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(h2.statusCode()).isEqualTo(403);
      assertThat(h2.body()).contains("\"error\":\"client temporarily blocked\"", "\"status\":403");
      long retryAfter = Long.parseLong(h2.headers().firstValue("retry-after").orElseThrow());
      assertThat(retryAfter).isBetween(1L, 60L);
      String h1 = gw.raw("GET /api/x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
      assertThat(h1).startsWith("HTTP/1.1 403").containsIgnoringCase("\r\nretry-after: ");
      assertThat(h1).contains("client temporarily blocked");
    }
  }

  @Test
  void exactlyCountFailuresAreAnsweredBeforeTheBanOnAKeptAliveHttp1Connection() throws Exception {
    try (StubUpstream upstream = upstreamAnswering401();
        TestGateway gw = TestGateway.start(RULES, upstream.port());
        SSLSocket s = gw.rawSocket()) {
      java.io.BufferedReader in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(
                  s.getInputStream(), java.nio.charset.StandardCharsets.ISO_8859_1));
      java.util.List<String> statuses = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        s.getOutputStream().write("GET /login HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes());
        String status = in.readLine();
        int length = 0;
        for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
          if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
            length = Integer.parseInt(line.substring(15).trim());
          }
        }
        for (int k = 0; k < length; k++) {
          in.read();
        }
        statuses.add(status.substring(9, 12));
      }
      assertThat(statuses).containsExactly("401", "401", "401", "403");
    }
  }

  @Test
  void theDefaultRulesNeverBanLoopback() throws Exception {
    try (StubUpstream upstream = upstreamAnswering401();
        TestGateway gw =
            TestGateway.start(RULES.substring(RULES.indexOf("routes:")), upstream.port())) {
      for (int i = 0; i < 25; i++) {
        assertThat(gw.get("/login").statusCode()).isEqualTo(401);
      }
      assertThat(gw.get("/api/x").statusCode()).isEqualTo(200);
      assertThat(gw.lines()).noneMatch(l -> l.contains("\"event\":\"ban\""));
    }
  }

  @Test
  void theStartUpLogSaysBansAreOnAndWhatTriggersThem() throws Exception {
    java.util.logging.Logger log = java.util.logging.Logger.getLogger("dev.bulwark.server.Gateway");
    java.util.List<String> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Handler capture =
        new java.util.logging.Handler() {
          @Override
          public void publish(java.util.logging.LogRecord r) {
            messages.add(r.getMessage());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    log.addHandler(capture);
    try (StubUpstream upstream = upstreamAnswering401();
        TestGateway gw = TestGateway.start(RULES, upstream.port())) {
      assertThat(messages)
          .contains(
              "automatic bans on: auth-failures: 3 answers with status 401 or 403 within 1 minute"
                  + " ban a client for 1 minute (doubling on repeats, up to 1 hour);"
                  + " never banned: trusted proxies (bans.exempt)");
    } finally {
      log.removeHandler(capture);
    }
  }
}
