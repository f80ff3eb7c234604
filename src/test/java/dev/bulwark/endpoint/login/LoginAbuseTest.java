package dev.bulwark.endpoint.login;

import static dev.bulwark.endpoint.login.LoginApiTest.account;
import static dev.bulwark.endpoint.login.LoginApiTest.loginBody;
import static dev.bulwark.endpoint.login.LoginApiTest.post;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Floods at the login API through a real gateway: credential stuffing from many addresses against
 * one name and from one address against many names (events, then 429 with Retry-After), a full
 * hashing queue (503 with Retry-After, never a hang), and the time a known and an unknown login
 * name take (the distributions must overlap).
 */
class LoginAbuseTest {
  private static final HttpClient.Version H2 = HttpClient.Version.HTTP_2;

  private static TestGateway start(String identity, String server) throws Exception {
    return TestGateway.startYaml(
        LoginApiTest.config(identity, "10s", server).replace("UPSTREAM", "http://127.0.0.1:9"));
  }

  @Test
  void fiftyAddressesAgainstOneNameAreReportedAsADistributedAttack() throws Exception {
    try (TestGateway gw = start("  login-throttle: { hold-limit: 0s }", "")) {
      account(gw, "victim");
      for (int i = 1; i <= 50; i++) {
        HttpResponse<String> r =
            post(gw, H2, "/auth/login", loginBody("victim", "guess number " + i), "203.0.113." + i);
        assertThat(r.statusCode()).isEqualTo(401);
      }
      gw.awaitLine("credential-stuffing-suspected", "addresses-per-name");
      assertThat(gw.lines().stream().filter(l -> l.contains("\"login-failed\"")).count())
          .isGreaterThanOrEqualTo(50);
    }
  }

  @Test
  void oneAddressAgainstAThousandNamesIsThrottledAfterTwenty() throws Exception {
    // bans: off, so that the throttle is what answers (the default ban rule also blocks the address
    // with 403 after 20 answers of 401)
    try (TestGateway gw = start("", "bans: off")) {
      int refused = 0;
      int wrong = 0;
      for (int i = 0; i < 1000; i++) {
        HttpResponse<String> r =
            post(gw, H2, "/auth/login", loginBody("user" + i, "some password"), "203.0.113.7");
        if (r.statusCode() == 429) {
          refused++;
          assertThat(r.headers().firstValue("retry-after")).isPresent();
          assertThat(Long.parseLong(r.headers().firstValue("retry-after").orElseThrow()))
              .isPositive();
        } else {
          assertThat(r.statusCode()).isEqualTo(401);
          wrong++;
        }
      }
      assertThat(wrong).isEqualTo(20);
      assertThat(refused).isEqualTo(980);
      gw.awaitLine("credential-stuffing-suspected", "names-per-address");
      gw.awaitLine("login-throttled");
      // another address is not affected
      assertThat(
              post(gw, H2, "/auth/login", loginBody("user1", "x y z"), "203.0.113.8").statusCode())
          .isEqualTo(401);
    }
  }

  @Test
  void aFullHashingQueueAnswers503WithRetryAfter() throws Exception {
    try (TestGateway gw =
        TestGateway.startYaml(
            LoginApiTest.config("", "10s", "")
                .replace("memory: 1MiB, iterations: 1", "memory: 32MiB, iterations: 8")
                .replace(
                    "  shutdown-grace: 1s",
                    "  shutdown-grace: 1s\n  blocking: { threads: 1, queue: 1 }")
                .replace("UPSTREAM", "http://127.0.0.1:9"))) {
      HttpClient c = LoginApiTest.client(gw, H2);
      List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        all.add(
            c.sendAsync(
                HttpRequest.newBuilder(URI.create(gw.url("/auth/login")))
                    .header("content-type", "application/json")
                    .header("x-forwarded-for", "203.0.113." + (100 + i))
                    .POST(HttpRequest.BodyPublishers.ofString(loginBody("flood" + i, "pw pw pw")))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      int unavailable = 0;
      for (var f : all) {
        HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
        if (r.statusCode() == 503) {
          unavailable++;
          assertThat(r.headers().firstValue("retry-after")).contains("1");
          assertThat(LoginApiTest.json(r).get("requestId").asText()).isNotBlank();
        } else {
          assertThat(r.statusCode()).isEqualTo(401);
        }
      }
      assertThat(unavailable).isPositive();
    }
  }

  /**
   * A known name with a wrong password and an unknown name, 1,000 attempts each, interleaved, at a
   * low Argon2 cost: the medians differ by less than the spread of either distribution (its
   * interquartile range), so the answer time does not tell whether an account exists.
   */
  @Test
  void aKnownAndAnUnknownNameTakeTheSameTime() throws Exception {
    String throttle =
        "  login-throttle: { free-failures: 100, address-free-failures: 100000,"
            + " names-per-address: 100000, addresses-per-name: 100000 }";
    try (TestGateway gw = start(throttle, "bans: off")) {
      account(gw, "known");
      HttpClient c = LoginApiTest.client(gw, H2);
      int n = 1000;
      long[] known = new long[n];
      long[] unknown = new long[n];
      for (int i = -50; i < n; i++) { // 50 rounds of warm-up
        String from = "192.0.2." + (Math.floorMod(i, 50) + 1);
        long a = timed(c, gw, loginBody("known", "wrong password " + i), from);
        long b = timed(c, gw, loginBody("unknown" + i, "wrong password " + i), from);
        if (i >= 0) {
          known[i] = a;
          unknown[i] = b;
        }
      }
      Arrays.sort(known);
      Arrays.sort(unknown);
      long medianKnown = known[n / 2];
      long medianUnknown = unknown[n / 2];
      long iqr = Math.max(known[3 * n / 4] - known[n / 4], unknown[3 * n / 4] - unknown[n / 4]);
      assertThat(Math.abs(medianKnown - medianUnknown))
          .as("medians %d and %d ns, spread %d ns", medianKnown, medianUnknown, iqr)
          .isLessThanOrEqualTo(iqr);
    }
  }

  private static long timed(HttpClient c, TestGateway gw, String body, String from)
      throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(gw.url("/auth/login")))
            .header("content-type", "application/json")
            .header("x-forwarded-for", from)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    long t0 = System.nanoTime();
    HttpResponse<String> r = c.send(req, HttpResponse.BodyHandlers.ofString());
    long t = System.nanoTime() - t0;
    assertThat(r.statusCode()).isEqualTo(401);
    return t;
  }
}
