package dev.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * The admin router without a credential: 404 and 405 (with {@code Allow}) as JSON errors with a
 * request id, bodies bounded per route, HEAD served by GET routes, HTTP/1.0, and the standard
 * endpoints.
 */
class AdminRouterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode error(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(r.headers().firstValue("cache-control")).hasValue("no-store");
    JsonNode n = JSON.readTree(r.body());
    assertThat(n.get("status").asInt()).isEqualTo(status);
    assertThat(n.get("requestId").asText())
        .isNotBlank()
        .isEqualTo(r.headers().firstValue("x-request-id").orElseThrow());
    return n;
  }

  @Test
  void anUnknownPathIsAJson404WithARequestId() throws Exception {
    try (AdminListener admin = AdminListener.withoutDelay()) {
      assertThat(error(admin.get("/nope"), 404).get("error").asText()).isEqualTo("not found");
      error(admin.get("/bans/"), 404); // a template segment never matches an empty one
      error(admin.get("/healthz/"), 404);
      error(admin.get("/bans/1.2.3.4/x"), 404);
      error(admin.get("/metrics/.."), 404);
    }
  }

  @Test
  void aWrongMethodIsA405ThatListsTheAllowedOnes() throws Exception {
    try (AdminListener admin = AdminListener.withoutDelay()) {
      HttpResponse<String> r = admin.send("PUT", "/bans", "{}", "content-type", "application/json");
      assertThat(error(r, 405).get("error").asText()).isEqualTo("method not allowed");
      assertThat(r.headers().firstValue("allow")).hasValue("GET, HEAD, POST");
      HttpResponse<String> health = admin.send("POST", "/healthz", "");
      error(health, 405);
      assertThat(health.headers().firstValue("allow")).hasValue("GET, HEAD");
      assertThat(admin.send("DELETE", "/bans", "").headers().firstValue("allow"))
          .hasValue("GET, HEAD, POST");
      assertThat(admin.send("GET", "/bans/192.0.2.1", "").headers().firstValue("allow"))
          .hasValue("DELETE");
    }
  }

  @Test
  void aBodyOverTheRoutesLimitIs413AndTheConnectionCloses() throws Exception {
    try (AdminListener admin = AdminListener.withoutDelay()) {
      String big = "{\"address\":\"" + "1".repeat(BanApi.MAX_BODY) + "\"}";
      error(admin.send("POST", "/bans", big, "content-type", "application/json"), 413);
      String declared =
          admin.raw(
              AdminListener.http(
                  "POST /bans HTTP/1.1",
                  "Host: 127.0.0.1",
                  "Content-Type: application/json",
                  "Content-Length: 99999999999"));
      assertThat(declared).startsWith("HTTP/1.1 413").contains("connection: close");
      // Sent in chunks with no length: cut off as it streams, and the connection closed.
      String chunked =
          admin.raw(
              AdminListener.http(
                      "POST /bans HTTP/1.1",
                      "Host: 127.0.0.1",
                      "Content-Type: application/json",
                      "Transfer-Encoding: chunked")
                  + "1000\r\n"
                  + "x".repeat(4096)
                  + "\r\n1000\r\n"
                  + "x".repeat(4096)
                  + "\r\n0\r\n\r\n");
      assertThat(chunked).startsWith("HTTP/1.1 413").contains("connection: close");
      // A GET takes no body at all.
      String getWithBody =
          admin.raw("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello");
      assertThat(getWithBody).startsWith("HTTP/1.1 413").contains("takes no body");
      assertThat(admin.bans.list()).isEmpty();
    }
  }

  @Test
  void withoutATokenACallNamingAnotherHostIsRefusedAsDnsRebinding() throws Exception {
    try (AdminListener admin = AdminListener.withoutDelay()) {
      String body = "{\"address\":\"192.0.2.1\"}";
      String rebound =
          admin.raw(
              "POST /bans HTTP/1.1\r\nHost: evil.example:9090\r\nContent-Type: application/json\r\n"
                  + "Content-Length: "
                  + body.length()
                  + "\r\nConnection: close\r\n\r\n"
                  + body);
      assertThat(rebound).startsWith("HTTP/1.1 403").contains("\"requestId\":\"");
      assertThat(admin.bans.list()).isEmpty();
      assertThat(admin.events)
          .singleElement()
          .satisfies(e -> assertThat(e.status()).isEqualTo(403));
      // Health stays open to anything; tools name an address or localhost.
      assertThat(
              admin.raw("GET /healthz HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"))
          .startsWith("HTTP/1.1 200");
      for (String host : new String[] {"localhost:9090", "127.0.0.1", "[::1]:9090", "LOCALHOST"}) {
        assertThat(
                admin.raw("GET /bans HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"))
            .as(host)
            .startsWith("HTTP/1.1 200");
      }
      assertThat(AdminAuthentication.namesLocalHost("localhost.evil.example")).isFalse();
      assertThat(AdminAuthentication.namesLocalHost("127.0.0.1.nip.io")).isFalse();
      assertThat(AdminAuthentication.namesLocalHost("[::1")).isFalse();
      assertThat(AdminAuthentication.namesLocalHost(null)).isTrue();
    }
  }

  @Test
  void headIsServedByTheGetRouteWithoutABody() throws Exception {
    try (AdminListener admin = AdminListener.withoutDelay()) {
      String head =
          admin.raw("HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
      assertThat(head).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n");
    }
  }

  @Test
  void http10RequestsAreAnsweredAndClosed() throws Exception {
    try (AdminListener admin = AdminListener.withoutDelay()) {
      String ok = admin.raw("GET /healthz HTTP/1.0\r\n\r\n");
      assertThat(ok).startsWith("HTTP/1.0 200").endsWith("{\"status\":\"ok\"}");
      String missing = admin.raw("GET /nope HTTP/1.0\r\n\r\n");
      assertThat(missing).startsWith("HTTP/1.0 404").contains("\"requestId\":\"");
      admin.requireToken();
      String refused = admin.raw("GET /metrics HTTP/1.0\r\n\r\n");
      assertThat(refused).startsWith("HTTP/1.0 401").containsIgnoringCase("www-authenticate");
      String allowed =
          admin.raw(
              "GET /metrics HTTP/1.0\r\nAuthorization: Bearer " + AdminListener.TOKEN + "\r\n\r\n");
      assertThat(allowed).startsWith("HTTP/1.0 200").endsWith("bulwark_up 1\n");
    }
  }

  @Test
  void theStandardEndpointsAnswerAsBefore() throws Exception {
    try (AdminListener admin = AdminListener.withoutDelay()) {
      assertThat(admin.get("/healthz").body()).isEqualTo("{\"status\":\"ok\"}");
      assertThat(admin.get("/readyz").body()).isEqualTo("{\"status\":\"ready\"}");
      assertThat(admin.get("/.well-known/jwks.json").body()).isEqualTo("{\"keys\":[]}");
      HttpResponse<String> metrics = admin.get("/metrics");
      assertThat(metrics.headers().firstValue("content-type"))
          .hasValue("text/plain; version=0.0.4; charset=utf-8");
      assertThat(metrics.body()).isEqualTo("bulwark_up 1\n");
      HttpResponse<String> made =
          admin.send(
              "POST",
              "/bans",
              "{\"address\":\"::ffff:192.0.2.7\"}",
              "content-type",
              "application/json");
      assertThat(made.statusCode()).isEqualTo(201);
      assertThat(made.body()).contains("\"address\":\"192.0.2.7\"", "\"by\":\"admin\"");
      assertThat(admin.get("/bans").body()).contains("192.0.2.7");
      assertThat(admin.send("DELETE", "/bans/192.0.2.7", "").statusCode()).isEqualTo(200);
      error(admin.send("DELETE", "/bans/192.0.2.7", ""), 404);
      assertThat(
              admin.raw(
                  "DELETE /bans/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
          .as("a malformed escape in the address")
          .startsWith("HTTP/1.1 400")
          .contains("\"requestId\":\"");
      // Ban events carry the admin call's request id.
      assertThat(admin.events).extracting(e -> e.kind().wireName()).containsExactly("ban", "unban");
      assertThat(admin.events.get(0).requestId())
          .isEqualTo(made.headers().firstValue("x-request-id").orElseThrow());
    }
  }

  @Test
  void aRouteIsRegisteredOnceAndHeadIsNeverARouteOfItsOwn() throws Exception {
    try (AdminListener admin = AdminListener.withoutDelay()) {
      AdminAuthentication auth =
          new AdminAuthentication(
              admin.config::get,
              new dev.bulwark.audit.SecurityEvents(java.util.List.of()),
              admin.vertx,
              admin.registry,
              AdminAuthentication.Throttle.DEFAULT);
      AdminRouter.Builder b = AdminRouter.builder(auth).get("/x/{a}", AdminAccess.OPEN, c -> {});
      assertThatThrownBy(() -> b.get("/x/{b}", AdminAccess.OPEN, c -> {}))
          .hasMessageContaining("registered twice");
      assertThatThrownBy(() -> b.route("HEAD", "/y", AdminAccess.OPEN, 0, c -> {}))
          .hasMessageContaining("HEAD");
      assertThatThrownBy(() -> b.get("y", AdminAccess.OPEN, c -> {}))
          .hasMessageContaining("expected");
    }
  }

  @Test
  void aHandlerThatThrowsGivesA500AndTheListenerStaysUp() throws Exception {
    try (AdminListener admin = AdminListener.withoutDelay()) {
      AdminAuthentication auth =
          new AdminAuthentication(
              admin.config::get,
              new dev.bulwark.audit.SecurityEvents(java.util.List.of()),
              admin.vertx,
              admin.registry,
              AdminAuthentication.Throttle.DEFAULT);
      AdminRouter router =
          AdminRouter.builder(auth)
              .get(
                  "/boom",
                  AdminAccess.OPEN,
                  c -> {
                    throw new IllegalStateException("secret detail");
                  })
              .build();
      var server =
          admin
              .vertx
              .createHttpServer()
              .requestHandler(router)
              .listen(0, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get();
      String answer = new AdminListenerRaw(server.actualPort()).send("GET /boom HTTP/1.0\r\n\r\n");
      assertThat(answer).startsWith("HTTP/1.0 500").doesNotContain("secret detail");
      assertThat(new AdminListenerRaw(server.actualPort()).send("GET /boom HTTP/1.0\r\n\r\n"))
          .startsWith("HTTP/1.0 500");
    }
  }

  /** Raw HTTP to any port. */
  private record AdminListenerRaw(int port) {
    String send(String request) throws java.io.IOException {
      try (java.net.Socket s =
          new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
        s.setSoTimeout(10_000);
        s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        return new String(
            s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
      }
    }
  }
}
