package dev.bulwark.policy.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Rate limits through the real gateway: 429 with headers, keys, spoofing, what reaches upstream.
 */
class RateLimitTest {

  private static HttpResponse<String> send(TestGateway gw, String path, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.url(path)));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return gw.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aBurstOverTheLimitGets429WithRetryAfterAndRateLimitHeadersAndNeverReachesUpstream()
      throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                """
                routes:
                  - name: api
                    match: { path: /api/** }
                    upstream: UPSTREAM
                    public: true
                    rate-limit:
                      - { name: burst, key: ip, limit: 5, window: 1m }
                      - { name: hourly, key: ip, limit: 100, window: 1h }
                """,
                upstream.port())) {
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> ok = gw.get("/api/x");
        assertThat(ok.statusCode()).as("request %d", i + 1).isEqualTo(200);
        assertThat(ok.headers().firstValue("ratelimit-policy"))
            .hasValue("\"burst\";q=5;w=60, \"hourly\";q=100;w=3600");
        assertThat(ok.headers().firstValue("ratelimit"))
            .hasValue(
                "\"burst\";r="
                    + (4 - i)
                    + ";t="
                    + ok.headers().firstValue("ratelimit").orElseThrow().replaceAll(".*;t=", ""));
        upstream.next();
      }
      HttpResponse<String> limited = gw.get("/api/x");
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.body())
          .contains("\"error\":\"too many requests\"", "\"status\":429", "\"requestId\":")
          .doesNotContain("burst");
      assertThat(limited.headers().firstValue("retry-after")).hasValue("12");
      assertThat(limited.headers().firstValue("ratelimit"))
          .get()
          .asString()
          .startsWith("\"burst\";r=0;t=");
      assertThat(limited.headers().firstValue("strict-transport-security")).isPresent();
      assertThat(limited.headers().firstValue("x-request-id")).isPresent();
      assertThat(upstream.poll(200)).as("a refused request never reaches upstream").isNull();
      gw.awaitLine("\"status\":429", "rate limit burst exceeded", "\"decision\":\"deny\"");
      assertThat(gw.gateway().metrics().scrape())
          .contains(
              "bulwark_policy_decisions_total{decision=\"deny\",policy=\"rate-limit\",route=\"api\"}");
    }
  }

  @Test
  void forwardedHeadersFromAnUntrustedPeerCannotBuyAFreshBucket() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                """
                routes:
                  - name: api
                    match: { path: /** }
                    upstream: UPSTREAM
                    public: true
                    rate-limit: { key: ip, limit: 3, window: 1m }
                """,
                upstream.port())) {
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        statuses.add(
            send(gw, "/x", "X-Forwarded-For", "203.0.113." + i, "Forwarded", "for=198.51.100." + i)
                .statusCode());
      }
      assertThat(statuses).containsExactly(200, 200, 200, 429, 429, 429);
    }
  }

  @Test
  void aHeaderKeyGivesEachValueItsOwnBucketAndRequestsWithoutItFallBackToTheAddress()
      throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                """
                routes:
                  - name: api
                    match: { path: /** }
                    upstream: UPSTREAM
                    public: true
                    rate-limit: { key: "header:X-Api-Key", limit: 2, window: 1m }
                """,
                upstream.port())) {
      assertThat(send(gw, "/x", "X-Api-Key", "alpha").statusCode()).isEqualTo(200);
      assertThat(send(gw, "/x", "X-Api-Key", "alpha").statusCode()).isEqualTo(200);
      assertThat(send(gw, "/x", "X-Api-Key", "alpha").statusCode()).isEqualTo(429);
      assertThat(send(gw, "/x", "X-Api-Key", "beta").statusCode()).isEqualTo(200);
      String huge = "k".repeat(4000);
      assertThat(send(gw, "/x", "X-Api-Key", huge).statusCode()).isEqualTo(200);
      assertThat(send(gw, "/x").statusCode()).isEqualTo(200);
      assertThat(send(gw, "/x").statusCode()).isEqualTo(200);
      assertThat(send(gw, "/x").statusCode()).isEqualTo(429);
    }
  }

  @Test
  void aRouteKeyIsOneBucketForEveryClientAndSubjectLimitsRunAfterAuthentication() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                """
                routes:
                  - name: shared
                    match: { path: /shared/** }
                    upstream: UPSTREAM
                    public: true
                    rate-limit: { key: route, limit: 2, window: 1h }
                  - name: per-subject
                    match: { path: /mine/** }
                    upstream: UPSTREAM
                    public: true
                    rate-limit: { key: [subject, route], limit: 1, window: 1h }
                """,
                upstream.port())) {
      assertThat(gw.gateway().summary())
          .contains("route shared")
          .contains("policies=headers,errors,rate-limit ");
      assertThat(gw.gateway().summary()).contains("policies=headers,errors,subject-limit ");
      assertThat(send(gw, "/shared/a").statusCode()).isEqualTo(200);
      assertThat(send(gw, "/shared/b", "X-Forwarded-For", "192.0.2.1").statusCode()).isEqualTo(200);
      assertThat(send(gw, "/shared/c").statusCode()).isEqualTo(429);
      // Anonymous: the subject falls back to the client address.
      assertThat(send(gw, "/mine/a").statusCode()).isEqualTo(200);
      assertThat(send(gw, "/mine/a").statusCode()).isEqualTo(429);
    }
  }

  @Test
  void defaultsApplyToEveryRouteAndOffRemovesThem() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                """
                defaults:
                  rate-limit: { key: ip, limit: 1, window: 1h }
                routes:
                  - name: limited
                    match: { path: /limited/** }
                    upstream: UPSTREAM
                    public: true
                  - name: health
                    match: { path: /health }
                    upstream: UPSTREAM
                    public: true
                    rate-limit: off
                  - name: login
                    match: { path: /login }
                    upstream: UPSTREAM
                    public: true
                    rate-limit: login
                """,
                upstream.port())) {
      assertThat(gw.get("/limited/a").statusCode()).isEqualTo(200);
      assertThat(gw.get("/limited/a").statusCode()).isEqualTo(429);
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> r = gw.get("/health");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("ratelimit-policy")).isEmpty();
      }
      List<Integer> login = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        login.add(gw.get("/login").statusCode());
      }
      assertThat(login).containsExactly(200, 200, 200, 200, 200, 429);
    }
  }
}
