package dev.bulwark.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/**
 * Two gateways sharing one real Redis: one limit across both, a ban made on one enforced by the
 * other within a second, and Redis stopped and started again mid-test.
 */
class RedisClusterTest {

  private static String config(String redisUrl) {
    return """
        store: { redis: %s, timeout: 1s }
        bans:
          exempt: []
          rules:
            - { name: auth-failures, status: [401], count: 3, window: 1m, ban: 1m }
        routes:
          - name: shared
            match: { path: /shared/** }
            upstream: UPSTREAM
            public: true
            rate-limit: { key: ip, limit: 10, window: 1h }
          - name: strict
            match: { path: /strict/** }
            upstream: UPSTREAM
            public: true
            rate-limit: { key: ip, limit: 1000, window: 1h }
          - name: lenient
            match: { path: /lenient/** }
            upstream: UPSTREAM
            public: true
            rate-limit: { key: ip, limit: 1000, window: 1h, on-store-failure: allow }
          - name: login
            match: { path: /login }
            upstream: UPSTREAM
            public: true
        """
        .formatted(redisUrl);
  }

  private static int status(TestGateway gw, String path) {
    try {
      return gw.get(path).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  /** Waits until the supplier answers the wanted status; returns the milliseconds it took. */
  private static long awaitStatus(int wanted, long maxMillis, IntSupplier s) throws Exception {
    long start = System.nanoTime();
    while (true) {
      int got = s.getAsInt();
      long took = (System.nanoTime() - start) / 1_000_000;
      if (got == wanted) {
        return took;
      }
      assertThat(took).as("waiting for %d, last %d", wanted, got).isLessThan(maxMillis);
      Thread.sleep(25);
    }
  }

  @Test
  void twoGatewaysShareOneLimitAndBansAndSurviveARedisRestart() throws Exception {
    try (RedisServer redis = RedisServer.start();
        StubUpstream upstream = new StubUpstream();
        TestGateway a = TestGateway.start(config(redis.url()), upstream.port());
        TestGateway b = TestGateway.start(config(redis.url()), upstream.port())) {
      upstream.on("/login", req -> req.response().setStatusCode(401).end());
      awaitStatus(200, 10_000, () -> status(a, "/strict/ready"));
      awaitStatus(200, 10_000, () -> status(b, "/strict/ready"));

      // One limit of 10 across both gateways.
      int allowed = 0;
      for (int i = 0; i < 30; i++) {
        int s = status(i % 2 == 0 ? a : b, "/shared/x");
        assertThat(s).isIn(200, 429);
        if (s == 200) {
          allowed++;
        }
      }
      assertThat(allowed).as("requests let through across both gateways").isBetween(10, 11);

      // An admin ban on one gateway holds on the other within a second.
      HttpResponse<String> made =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + a.gateway().adminPort() + "/bans"))
                      .header("content-type", "application/json")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"address\":\"127.0.0.1\",\"duration\":\"5m\"}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(made.statusCode()).isEqualTo(201);
      assertThat(awaitStatus(403, 1000, () -> status(b, "/strict/x"))).isLessThan(1000);
      HttpResponse<String> lifted =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:" + b.gateway().adminPort() + "/bans/127.0.0.1"))
                      .DELETE()
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(lifted.statusCode()).isEqualTo(200);
      awaitStatus(200, 1000, () -> status(a, "/strict/x"));

      // A ban earned by 401s on one gateway (counted across both) holds on the other.
      assertThat(status(a, "/login")).isEqualTo(401);
      assertThat(status(b, "/login")).isEqualTo(401);
      assertThat(status(a, "/login")).isEqualTo(401);
      assertThat(awaitStatus(403, 1000, () -> status(b, "/strict/y"))).isLessThan(1000);
      a.awaitLine("\"event\":\"ban\"", "auth-failures");
      HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + a.gateway().adminPort() + "/bans/127.0.0.1"))
                  .DELETE()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      awaitStatus(200, 1000, () -> status(b, "/strict/z"));

      // The ban cleared the shared strike counter: three new 401s (not one) ban again.
      assertThat(status(b, "/login")).isEqualTo(401);
      assertThat(status(a, "/login")).isEqualTo(401);
      assertThat(status(b, "/login")).isEqualTo(401);
      assertThat(awaitStatus(403, 1000, () -> status(a, "/strict/again"))).isLessThan(1000);
      HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + a.gateway().adminPort() + "/bans/127.0.0.1"))
                  .DELETE()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      awaitStatus(200, 1000, () -> status(b, "/strict/z"));

      // Redis stops: deny routes answer 503 quickly, allow routes pass; nothing hangs.
      redis.down();
      long t0 = System.nanoTime();
      int down = status(a, "/strict/down");
      long tookMs = (System.nanoTime() - t0) / 1_000_000;
      assertThat(down).isEqualTo(503);
      assertThat(tookMs)
          .as("a store failure is answered within the store timeout")
          .isLessThan(2000);
      assertThat(status(b, "/lenient/down")).isEqualTo(200);
      assertThat(a.gateway().metrics().scrape()).contains("bulwark_store_failures_total");

      // Redis returns: both gateways recover by themselves.
      redis.up();
      awaitStatus(200, 15_000, () -> status(a, "/strict/back"));
      awaitStatus(200, 15_000, () -> status(b, "/strict/back"));
    }
  }

  private static boolean served(javax.net.ssl.SSLSocket s) {
    try {
      s.startHandshake();
      s.getOutputStream()
          .write(
              "GET /strict/c HTTP/1.1\r\nHost: localhost\r\n\r\n"
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      byte[] head = s.getInputStream().readNBytes(12);
      return new String(head, java.nio.charset.StandardCharsets.US_ASCII)
          .startsWith("HTTP/1.1 200");
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @Test
  void connectionCapsCountTheConnectionsOtherGatewaysHold() throws Exception {
    // Each gateway also holds the test client's pooled connection: 2 each while the sockets
    // below are open. Alone, each would still admit a third (3 <= 3); together they hold 4.
    String caps = "connections: { per-client: 3, total: 100 }\n";
    try (RedisServer redis = RedisServer.start();
        StubUpstream upstream = new StubUpstream();
        TestGateway a = TestGateway.start(caps + config(redis.url()), upstream.port());
        TestGateway b = TestGateway.start(caps + config(redis.url()), upstream.port())) {
      awaitStatus(200, 10_000, () -> status(a, "/strict/ready"));
      awaitStatus(200, 10_000, () -> status(b, "/strict/ready"));
      try (javax.net.ssl.SSLSocket onA = a.rawSocket();
          javax.net.ssl.SSLSocket onB = b.rawSocket()) {
        assertThat(served(onA)).isTrue();
        assertThat(served(onB)).isTrue();
        // Each gateway publishes its counts every second; give both a round.
        Thread.sleep(2500);
        try (javax.net.ssl.SSLSocket third = a.rawSocket()) {
          assertThat(served(third))
              .as("a third connection on one gateway while the other holds two")
              .isFalse();
        }
      }
      // Once the held connections close and the counts are republished, a place is free again.
      Thread.sleep(2500);
      try (javax.net.ssl.SSLSocket again = a.rawSocket()) {
        assertThat(served(again)).isTrue();
      }
    }
  }

  @Test
  void concurrentRequestsOnOneHotBucketAreCountedExactlyWithoutStoreFailures() throws Exception {
    try (RedisServer redis = RedisServer.start();
        StubUpstream upstream = new StubUpstream();
        TestGateway a = TestGateway.start(config(redis.url()), upstream.port());
        TestGateway b = TestGateway.start(config(redis.url()), upstream.port())) {
      awaitStatus(200, 10_000, () -> status(a, "/strict/ready"));
      awaitStatus(200, 10_000, () -> status(b, "/strict/ready"));
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(16);
      try {
        java.util.List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
          TestGateway target = i % 2 == 0 ? a : b;
          results.add(pool.submit(() -> status(target, "/shared/hot")));
        }
        int ok = 0;
        int limited = 0;
        for (java.util.concurrent.Future<Integer> f : results) {
          int s = f.get();
          assertThat(s).as("never a store failure under contention").isIn(200, 429);
          if (s == 200) {
            ok++;
          } else {
            limited++;
          }
        }
        assertThat(ok).as("one bucket of 10 shared by both gateways").isBetween(10, 11);
        assertThat(limited).isEqualTo(200 - ok);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void aBanEarnedOnOneGatewayProcessHoldsOnAnotherProcessAndTheyShareOneLimit() throws Exception {
    try (RedisServer redis = RedisServer.start();
        StubUpstream upstream = new StubUpstream();
        TestGateway a = TestGateway.start(config(redis.url()), upstream.port());
        GatewayProcess b =
            GatewayProcess.start(TestGateway.yaml(config(redis.url()), upstream.port()), a.dir())) {
      upstream.on("/login", req -> req.response().setStatusCode(401).end());
      HttpClient client = HttpClient.newBuilder().sslContext(a.client().sslContext()).build();
      java.util.function.Function<String, Integer> onB =
          path -> {
            try {
              return client
                  .send(
                      HttpRequest.newBuilder(
                              URI.create("https://localhost:" + b.httpsPort() + path))
                          .build(),
                      HttpResponse.BodyHandlers.discarding())
                  .statusCode();
            } catch (Exception e) {
              return -1;
            }
          };
      awaitStatus(200, 10_000, () -> status(a, "/strict/ready"));
      awaitStatus(200, 10_000, () -> onB.apply("/strict/ready"));
      // One limit of 10 across the two processes.
      int allowed = 0;
      for (int i = 0; i < 30; i++) {
        int s = i % 2 == 0 ? status(a, "/shared/x") : onB.apply("/shared/x");
        assertThat(s).as(b.log()).isIn(200, 429);
        if (s == 200) {
          allowed++;
        }
      }
      assertThat(allowed).as("requests let through across both processes").isBetween(10, 11);
      // Three 401s on a ban the client; the other process refuses it within a second.
      for (int i = 0; i < 3; i++) {
        assertThat(status(a, "/login")).isEqualTo(401);
      }
      assertThat(awaitStatus(403, 1000, () -> onB.apply("/strict/x"))).isLessThan(1000);
    }
  }
}
