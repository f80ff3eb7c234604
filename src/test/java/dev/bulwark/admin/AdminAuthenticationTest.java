package dev.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.config.AdminConfig;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The admin token: every route but health, readiness and the JWKS asks for it; a missing, empty,
 * malformed, very long or wrong token is a delayed 401 with a challenge and a security event; a
 * burst of wrong tokens locks the address out; the right one passes, and a reload's new token
 * applies to the next call.
 */
class AdminAuthenticationTest {
  private static final String RIGHT = "Bearer " + AdminListener.TOKEN;

  private static void refused(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("www-authenticate"))
        .hasValue("Bearer realm=\"bulwark-admin\"");
    assertThat(r.body()).startsWith("{\"error\":\"unauthorized\",\"status\":401,\"requestId\":\"");
    assertThat(r.body()).doesNotContain(AdminListener.TOKEN);
  }

  @Test
  void missingEmptyMalformedLongAndWrongTokensAreRefused() throws Exception {
    try (AdminListener admin = AdminListener.withoutDelay().requireToken()) {
      refused(admin.get("/metrics"));
      refused(admin.get("/metrics", "authorization", "Bearer "));
      refused(admin.get("/metrics", "authorization", "Bearer       "));
      refused(admin.get("/metrics", "authorization", "Basic " + AdminListener.TOKEN));
      refused(admin.get("/metrics", "authorization", AdminListener.TOKEN));
      refused(admin.get("/metrics", "authorization", "Bearer " + "x".repeat(600)));
      refused(admin.get("/metrics", "authorization", "Bearer " + "x".repeat(12_000)));
      refused(admin.get("/metrics", "authorization", RIGHT + "x"));
      refused(admin.get("/metrics", "authorization", RIGHT.substring(0, RIGHT.length() - 1)));
      refused(admin.get("/bans", "authorization", RIGHT.toLowerCase(java.util.Locale.ROOT)));
      assertThat(admin.bans.list()).isEmpty();
      assertThat(admin.counter("bulwark_admin_auth_failures", "missing")).isEqualTo(1);
      assertThat(admin.counter("bulwark_admin_auth_failures", "malformed")).isEqualTo(6);
      assertThat(admin.counter("bulwark_admin_auth_failures", "wrong")).isEqualTo(3);
      SecurityEvent first = admin.events.get(0);
      assertThat(first.kind()).isEqualTo(SecurityEventKind.ADMIN_AUTH_FAILED);
      assertThat(first.client()).isEqualTo("127.0.0.1");
      assertThat(first.status()).isEqualTo(401);
      assertThat(first.reason()).isEqualTo("no token");
    }
  }

  @Test
  void everyRouteButHealthReadinessAndJwksAsksForTheToken() throws Exception {
    try (AdminListener admin = AdminListener.withoutDelay().requireToken()) {
      assertThat(admin.get("/healthz").statusCode()).isEqualTo(200);
      assertThat(admin.get("/readyz").statusCode()).isEqualTo(200);
      assertThat(admin.get("/.well-known/jwks.json").statusCode()).isEqualTo(200);
      refused(admin.get("/metrics"));
      refused(admin.get("/bans"));
      refused(
          admin.send(
              "POST", "/bans", "{\"address\":\"192.0.2.1\"}", "content-type", "application/json"));
      refused(admin.send("DELETE", "/bans/192.0.2.1", ""));
      // Probing reveals nothing: unknown paths and wrong methods are 401 too, until authenticated.
      refused(admin.get("/nope"));
      refused(admin.send("PUT", "/bans", ""));
      assertThat(admin.get("/nope", "authorization", RIGHT).statusCode()).isEqualTo(404);
      assertThat(admin.send("PUT", "/bans", "", "authorization", RIGHT).statusCode())
          .isEqualTo(405);
      assertThat(admin.get("/metrics", "authorization", RIGHT).statusCode()).isEqualTo(200);
      assertThat(
              admin
                  .send(
                      "POST",
                      "/bans",
                      "{\"address\":\"192.0.2.1\"}",
                      "content-type",
                      "application/json",
                      "authorization",
                      "bearer " + AdminListener.TOKEN)
                  .statusCode())
          .as("the scheme is case-insensitive")
          .isEqualTo(201);
      assertThat(admin.bans.list()).hasSize(1);
    }
  }

  @Test
  void anOversizedBodyWithoutTheTokenIsRefusedForTheTokenFirst() throws Exception {
    try (AdminListener admin = AdminListener.withoutDelay().requireToken()) {
      String answer =
          admin.raw(
              AdminListener.http(
                  "POST /bans HTTP/1.1",
                  "Host: 127.0.0.1",
                  "Content-Type: application/json",
                  "Content-Length: 100000"));
      assertThat(answer).startsWith("HTTP/1.1 401").contains("connection: close");
    }
  }

  @Test
  void aWrongTokenIsAnsweredOnlyAfterTheDelay() throws Exception {
    try (AdminListener admin =
        new AdminListener(
                new AdminAuthentication.Throttle(Duration.ofMillis(300), 10, Duration.ofMinutes(1)))
            .requireToken()) {
      long start = System.nanoTime();
      refused(admin.get("/metrics", "authorization", "Bearer wrong"));
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofMillis(300));
      long ok = System.nanoTime();
      assertThat(admin.get("/metrics", "authorization", RIGHT).statusCode()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - ok)).isLessThan(Duration.ofMillis(300));
    }
  }

  @Test
  void aBurstOfWrongTokensLocksTheAddressOutUntilTheWindowEnds() throws Exception {
    try (AdminListener admin = AdminListener.withoutDelay().requireToken()) {
      for (int i = 0; i < 10; i++) {
        refused(admin.get("/bans", "authorization", "Bearer guess-" + i));
      }
      HttpResponse<String> locked = admin.get("/bans", "authorization", RIGHT);
      assertThat(locked.statusCode()).as("even the right token, once locked out").isEqualTo(429);
      assertThat(locked.headers().firstValue("retry-after")).hasValue("60");
      assertThat(locked.body()).contains("\"status\":429", "\"requestId\":\"");
      for (int i = 0; i < 50; i++) {
        assertThat(admin.get("/bans", "authorization", "Bearer guess").statusCode()).isEqualTo(429);
      }
      assertThat(admin.counter("bulwark_admin_auth_failures", "wrong")).isEqualTo(10);
      assertThat(admin.counter("bulwark_admin_auth_failures", "locked-out")).isEqualTo(51);
      // Health stays reachable for the orchestrator.
      assertThat(admin.get("/healthz").statusCode()).isEqualTo(200);
      // The lock-out is said once; the wrong tokens before it are thinned (one event per second).
      assertThat(admin.events)
          .filteredOn(e -> e.reason() != null && e.reason().contains("locked out"))
          .hasSize(1);
      assertThat(admin.events).hasSizeLessThan(5);
      admin.nanos.addAndGet(Duration.ofSeconds(61).toNanos());
      assertThat(admin.get("/bans", "authorization", RIGHT).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aNewTokenFromAReloadAppliesToTheNextCall() throws Exception {
    try (AdminListener admin = AdminListener.withoutDelay()) {
      assertThat(admin.get("/metrics").statusCode()).isEqualTo(200);
      admin.requireToken();
      refused(admin.get("/metrics"));
      admin.config.set(AdminConfig.withToken("another-token-0123456789abcdefghijklmnop"));
      refused(admin.get("/metrics", "authorization", RIGHT));
      assertThat(
              admin
                  .get(
                      "/metrics",
                      "authorization",
                      "Bearer another-token-0123456789abcdefghijklmnop")
                  .statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void failedAttemptsAreBoundedAndForgetTheLeastRecentlySeenAddress() {
    FailedAttempts attempts = new FailedAttempts(2, 1000, 2);
    assertThat(attempts.failed("a", 0)).isFalse();
    assertThat(attempts.failed("a", 1)).isTrue();
    assertThat(attempts.lockedFor("a", 10)).isEqualTo(990);
    attempts.failed("b", 10);
    attempts.failed("c", 10); // "a" was seen last at 10, before "b": "a" is dropped first
    assertThat(attempts.lockedFor("b", 11)).isZero();
    attempts.failed("b", 12);
    assertThat(attempts.lockedFor("b", 13)).isPositive();
    assertThat(attempts.lockedFor("a", 14)).as("forgotten past the bound").isZero();
    assertThat(attempts.lockedFor("b", 1010)).as("the window ended").isZero();
    attempts.succeeded("c");
    assertThat(attempts.failed("c", 2000)).isFalse();
  }

  @Test
  void theBearerParserTakesOnlyAWellFormedToken() {
    assertThat(AdminAuthentication.bearer(null)).isNull();
    assertThat(AdminAuthentication.bearer("")).isNull();
    assertThat(AdminAuthentication.bearer("Bearer")).isNull();
    assertThat(AdminAuthentication.bearer("Bearer ")).isNull();
    assertThat(AdminAuthentication.bearer("Bearer  x ")).isEqualTo("x");
    assertThat(AdminAuthentication.bearer("BEARER abc")).isEqualTo("abc");
    assertThat(AdminAuthentication.bearer("Bearerabc")).isNull();
    assertThat(AdminAuthentication.bearer("Bearer " + "a".repeat(AdminConfig.MAX_TOKEN_LENGTH)))
        .hasSize(AdminConfig.MAX_TOKEN_LENGTH);
    assertThat(AdminAuthentication.bearer("Bearer " + "a".repeat(AdminConfig.MAX_TOKEN_LENGTH + 1)))
        .isNull();
  }
}
