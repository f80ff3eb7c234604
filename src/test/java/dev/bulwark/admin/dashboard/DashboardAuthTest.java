package dev.bulwark.admin.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.testing.TestGateway;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's guard: no session sends the browser to the sign-in page, a wrong token is refused
 * with the admin listener's own throttle, a session is a strict cookie that ends when idle or old,
 * and every change needs the session's CSRF token and the listener's own Origin.
 */
class DashboardAuthTest {
  @Test
  void withoutASessionThePageRedirectsToSignInAndTheFeedIsRefused() throws Exception {
    try (DashboardListener l = DashboardListener.plain().requireToken()) {
      HttpResponse<String> page = l.get("/dashboard");
      assertThat(page.statusCode()).isEqualTo(303);
      assertThat(page.headers().firstValue("location")).hasValue("/dashboard/sign-in");
      assertThat(l.get("/dashboard/events.json").statusCode()).isEqualTo(401);
      assertThat(l.get("/dashboard", "cookie", "bulwark-dashboard=forged").statusCode())
          .isEqualTo(303);
      HttpResponse<String> signIn = l.get("/dashboard/sign-in");
      assertThat(signIn.statusCode()).isEqualTo(200);
      assertThat(signIn.body()).contains("name=\"token\"");
    }
  }

  @Test
  void everyDashboardAnswerCarriesTheStrictHeaders() throws Exception {
    try (DashboardListener l = DashboardListener.plain().requireToken()) {
      String cookie = l.signIn();
      for (HttpResponse<String> r :
          new HttpResponse[] {
            l.get("/dashboard/sign-in"),
            l.get("/dashboard", "cookie", cookie),
            l.get("/dashboard/static/dashboard.js"),
            l.get("/dashboard/static/dashboard.css"),
            l.post("/dashboard/ban", cookie, "address", "192.0.2.1")
          }) {
        assertThat(r.headers().firstValue("content-security-policy"))
            .hasValue(
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
                    + " connect-src 'self'; form-action 'self'; frame-ancestors 'none';"
                    + " base-uri 'none'");
        assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(r.headers().firstValue("cache-control")).hasValue("no-store");
        assertThat(r.headers().firstValue("referrer-policy")).hasValue("no-referrer");
      }
      String page = l.get("/dashboard", "cookie", cookie).body();
      assertThat(page).doesNotContain("<script>").doesNotContain("style=").doesNotContain(" on");
      assertThat(l.get("/dashboard/static/dashboard.js").headers().firstValue("content-type"))
          .hasValue("text/javascript; charset=utf-8");
    }
  }

  @Test
  void aWrongTokenIsRefusedWithTheAdminThrottleAndWrittenAsAnEvent() throws Exception {
    try (DashboardListener l = DashboardListener.plain().requireToken()) {
      HttpResponse<String> wrong = l.post("/dashboard/sign-in", null, "token", "nope");
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(wrong.headers().firstValue("set-cookie")).isEmpty();
      assertThat(wrong.body()).contains("Wrong admin token");
      assertThat(l.published)
          .anySatisfy(
              e -> {
                assertThat(e.kind()).isEqualTo(SecurityEventKind.ADMIN_AUTH_FAILED);
                assertThat(e.reason()).isEqualTo("wrong token");
                assertThat(e.client()).isEqualTo("127.0.0.1");
              });
      assertThat(l.post("/dashboard/sign-in", null).statusCode()).isEqualTo(401);
      assertThat(l.post("/dashboard/sign-in", null, "token", "nope").statusCode()).isEqualTo(401);
      assertThat(l.post("/dashboard/sign-in", null, "token", "nope").statusCode()).isEqualTo(401);
      // Three wrong tokens: the address is locked out, even with the right one.
      HttpResponse<String> locked =
          l.post("/dashboard/sign-in", null, "token", DashboardListener.TOKEN);
      assertThat(locked.statusCode()).isEqualTo(429);
      assertThat(locked.headers().firstValue("retry-after")).isPresent();
      assertThat(locked.headers().firstValue("set-cookie")).isEmpty();
      assertThat(
              java.util.Objects.requireNonNull(
                      l.registry
                          .find("bulwark_admin_auth_failures")
                          .tag("reason", "wrong")
                          .counter())
                  .count())
          .isEqualTo(3.0);
    }
  }

  @Test
  void theSessionCookieIsHttpOnlyAndSameSiteStrictAndTheTokenNeverInIt() throws Exception {
    try (DashboardListener l = DashboardListener.plain().requireToken()) {
      HttpResponse<String> ok =
          l.post("/dashboard/sign-in", null, "token", DashboardListener.TOKEN);
      assertThat(ok.statusCode()).isEqualTo(303);
      assertThat(ok.headers().firstValue("location")).hasValue("/dashboard");
      String cookie = ok.headers().firstValue("set-cookie").orElseThrow();
      assertThat(cookie)
          .startsWith("bulwark-dashboard=")
          .contains("; Path=/", "; HttpOnly", "; SameSite=Strict")
          .doesNotContain("Secure")
          .doesNotContain(DashboardListener.TOKEN);
      assertThat(cookie.substring("bulwark-dashboard=".length(), cookie.indexOf(';')))
          .matches("[A-Za-z0-9_-]{43}");
    }
  }

  @Test
  void overTlsTheCookieIsSecureWithTheHostPrefix() throws Exception {
    try (DashboardListener l = new DashboardListener(3, TestGateway.certificate()).requireToken()) {
      HttpResponse<String> ok =
          l.post("/dashboard/sign-in", null, "token", DashboardListener.TOKEN);
      assertThat(ok.statusCode()).isEqualTo(303);
      String cookie = ok.headers().firstValue("set-cookie").orElseThrow();
      assertThat(cookie)
          .startsWith("__Host-bulwark-dashboard=")
          .contains("; Path=/", "; HttpOnly", "; SameSite=Strict", "; Secure")
          .doesNotContain("Domain");
      String pair = cookie.substring(0, cookie.indexOf(';'));
      assertThat(l.get("/dashboard", "cookie", pair).statusCode()).isEqualTo(200);
      // The plain name is not accepted over TLS.
      assertThat(
              l.get("/dashboard", "cookie", pair.replace("__Host-bulwark", "bulwark")).statusCode())
          .isEqualTo(303);
    }
  }

  @Test
  void aSignInFromAnotherOriginOrWithoutOneIsRefused() throws Exception {
    try (DashboardListener l = DashboardListener.plain().requireToken()) {
      assertThat(
              l.postFrom(
                      "https://evil.example",
                      "/dashboard/sign-in",
                      null,
                      "token",
                      DashboardListener.TOKEN)
                  .statusCode())
          .isEqualTo(403);
      assertThat(
              l.postFrom(null, "/dashboard/sign-in", null, "token", DashboardListener.TOKEN)
                  .statusCode())
          .isEqualTo(403);
      assertThat(
              l.postFrom("null", "/dashboard/sign-in", null, "token", DashboardListener.TOKEN)
                  .statusCode())
          .isEqualTo(403);
      // Origin: null (what a browser sends under no-referrer) passes only when the browser says
      // the form came from the same origin.
      String form = "token=" + DashboardListener.TOKEN;
      String type = "application/x-www-form-urlencoded";
      assertThat(
              l.send(
                      "POST",
                      "/dashboard/sign-in",
                      form,
                      "content-type",
                      type,
                      "origin",
                      "null",
                      "sec-fetch-site",
                      "cross-site")
                  .statusCode())
          .isEqualTo(403);
      assertThat(
              l.send(
                      "POST",
                      "/dashboard/sign-in",
                      form,
                      "content-type",
                      type,
                      "origin",
                      "null",
                      "sec-fetch-site",
                      "same-origin")
                  .statusCode())
          .isEqualTo(303);
    }
  }

  @Test
  void aChangeWithoutTheSessionsCsrfTokenIsRefused() throws Exception {
    try (DashboardListener l = DashboardListener.plain().requireToken()) {
      String cookie = l.signIn();
      assertThat(l.post("/dashboard/ban", cookie, "address", "192.0.2.1").statusCode())
          .isEqualTo(403);
      assertThat(
              l.post("/dashboard/ban", cookie, "address", "192.0.2.1", "csrf", "wrong")
                  .statusCode())
          .isEqualTo(403);
      // Another session's token does not do.
      String other = l.signIn();
      String otherCsrf = l.csrf(other);
      assertThat(
              l.post("/dashboard/ban", cookie, "address", "192.0.2.1", "csrf", otherCsrf)
                  .statusCode())
          .isEqualTo(403);
      // Sent twice (to confuse a parser): refused.
      String csrf = l.csrf(cookie);
      assertThat(
              l.post("/dashboard/ban", cookie, "address", "192.0.2.1", "csrf", csrf, "csrf", csrf)
                  .statusCode())
          .isEqualTo(403);
      assertThat(l.post("/dashboard/sign-out", cookie).statusCode()).isEqualTo(403);
      assertThat(l.bans.list()).isEmpty();
      assertThat(l.get("/dashboard", "cookie", cookie).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aChangeFromAnotherOriginIsRefusedEvenWithTheToken() throws Exception {
    try (DashboardListener l = DashboardListener.plain().requireToken()) {
      String cookie = l.signIn();
      String csrf = l.csrf(cookie);
      assertThat(
              l.postFrom(
                      "http://evil.example",
                      "/dashboard/ban",
                      cookie,
                      "address",
                      "192.0.2.1",
                      "csrf",
                      csrf)
                  .statusCode())
          .isEqualTo(403);
      assertThat(
              l.postFrom(null, "/dashboard/ban", cookie, "address", "192.0.2.1", "csrf", csrf)
                  .statusCode())
          .isEqualTo(403);
      assertThat(l.bans.list()).isEmpty();
      // A GET never changes anything.
      assertThat(l.get("/dashboard/ban", "cookie", cookie).statusCode()).isEqualTo(405);
    }
  }

  @Test
  void aBanAndAnUnbanFromTheDashboardGoTheBanApisWayAndAreAudited() throws Exception {
    try (DashboardListener l = DashboardListener.plain().requireToken()) {
      String cookie = l.signIn();
      String csrf = l.csrf(cookie);
      HttpResponse<String> ban =
          l.post("/dashboard/ban", cookie, "address", "192.0.2.7", "duration", "24h", "csrf", csrf);
      assertThat(ban.statusCode()).isEqualTo(303);
      assertThat(ban.headers().firstValue("location")).hasValue("/dashboard");
      assertThat(l.bans.list())
          .singleElement()
          .satisfies(
              b -> {
                assertThat(b.address()).isEqualTo("192.0.2.7");
                assertThat(b.by()).isEqualTo("admin");
              });
      SecurityEvent made =
          l.published.stream().filter(e -> e.kind() == SecurityEventKind.BAN).findFirst().get();
      assertThat(made.client()).isEqualTo("192.0.2.7");
      SecurityEvent.Origin origin = java.util.Objects.requireNonNull(made.origin());
      assertThat(origin.path()).isEqualTo("/dashboard/ban");
      assertThat(origin.address()).isEqualTo("127.0.0.1");
      String page = l.get("/dashboard", "cookie", cookie).body();
      assertThat(page).contains("Banned 192.0.2.7 for 24h.", "Unban");

      // An unknown duration or a malformed address changes nothing.
      assertThat(
              l.post(
                      "/dashboard/ban",
                      cookie,
                      "address",
                      "192.0.2.8",
                      "duration",
                      "999d",
                      "csrf",
                      csrf)
                  .statusCode())
          .isEqualTo(400);
      assertThat(
              l.post("/dashboard/ban", cookie, "address", "not-an-ip", "csrf", csrf).statusCode())
          .isEqualTo(400);

      HttpResponse<String> unban =
          l.post("/dashboard/unban", cookie, "address", "192.0.2.7", "csrf", csrf);
      assertThat(unban.statusCode()).isEqualTo(303);
      assertThat(l.bans.list()).isEmpty();
      assertThat(l.published).anyMatch(e -> e.kind() == SecurityEventKind.UNBAN);
      assertThat(l.get("/dashboard", "cookie", cookie).body()).contains("Unbanned 192.0.2.7.");
    }
  }

  @Test
  void aSessionEndsWhenIdleOrOldAndOnSignOut() throws Exception {
    try (DashboardListener l = DashboardListener.plain().requireToken()) {
      String idle = l.signIn();
      l.advance(Duration.ofMinutes(14));
      assertThat(l.get("/dashboard", "cookie", idle).statusCode()).isEqualTo(200);
      l.advance(Duration.ofMinutes(14));
      assertThat(l.get("/dashboard", "cookie", idle).statusCode()).isEqualTo(200);
      l.advance(Duration.ofMinutes(15));
      assertThat(l.get("/dashboard", "cookie", idle).statusCode()).isEqualTo(303);

      String old = l.signIn();
      for (int i = 0; i < 40; i++) {
        l.advance(Duration.ofMinutes(12));
        l.get("/dashboard/events.json", "cookie", old);
      }
      assertThat(l.get("/dashboard", "cookie", old).statusCode()).isEqualTo(303);

      String out = l.signIn();
      String csrf = l.csrf(out);
      HttpResponse<String> signOut = l.post("/dashboard/sign-out", out, "csrf", csrf);
      assertThat(signOut.statusCode()).isEqualTo(303);
      assertThat(signOut.headers().firstValue("set-cookie").orElseThrow())
          .startsWith("bulwark-dashboard=;")
          .contains("Max-Age=0");
      assertThat(l.get("/dashboard", "cookie", out).statusCode()).isEqualTo(303);
    }
  }

  @Test
  void sessionsAreBoundedTheLeastRecentlyUsedEnds() throws Exception {
    try (DashboardListener l = DashboardListener.plain().requireToken()) {
      String first = l.signIn();
      l.advance(Duration.ofSeconds(1));
      String second = l.signIn();
      l.advance(Duration.ofSeconds(1));
      assertThat(l.get("/dashboard", "cookie", first).statusCode()).isEqualTo(200);
      l.advance(Duration.ofSeconds(1));
      l.signIn();
      l.signIn();
      assertThat(l.sessions.size()).isEqualTo(3);
      assertThat(l.get("/dashboard", "cookie", second).statusCode()).isEqualTo(303);
    }
  }

  @Test
  void withoutATokenOnlyALocalHostNameMaySignIn() throws Exception {
    try (DashboardListener l = DashboardListener.plain()) {
      assertThat(l.get("/dashboard/sign-in").body()).doesNotContain("name=\"token\"");
      String cookie = l.signIn();
      assertThat(l.get("/dashboard", "cookie", cookie).statusCode()).isEqualTo(200);
      // A page that reached the listener through DNS rebinding names its own host.
      assertThat(
              l.raw(
                  "GET /dashboard/sign-in HTTP/1.1\r\nHost: rebind.evil.example\r\n"
                      + "Connection: close\r\n\r\n"))
          .startsWith("HTTP/1.1 403");
      assertThat(
              l.raw(
                  "POST /dashboard/sign-in HTTP/1.1\r\nHost: rebind.evil.example:8080\r\n"
                      + "Origin: http://rebind.evil.example:8080\r\nContent-Length: 0\r\n"
                      + "Content-Type: application/x-www-form-urlencoded\r\n"
                      + "Connection: close\r\n\r\n"))
          .startsWith("HTTP/1.1 403")
          .doesNotContain("set-cookie");
    }
  }
}
