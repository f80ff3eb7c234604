package dev.bulwark.policy.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Idempotency through the real gateway (TLS, HTTP/1.1 and HTTP/2, a stub upstream that counts what
 * reaches it): replays, the 100-request race, an upstream that breaks off, a 10 MB response, and a
 * Redis that cannot be reached.
 */
class IdempotencyGatewayTest {
  private static final AtomicInteger PAY = new AtomicInteger();
  private static final AtomicInteger SLOW = new AtomicInteger();
  private static final AtomicInteger BROKEN = new AtomicInteger();
  private static final AtomicInteger BIG = new AtomicInteger();
  private static final byte[] TEN_MB = new byte[10 << 20];

  private static StubUpstream upstream;
  private static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    upstream = new StubUpstream();
    upstream.on(
        "/pay",
        r ->
            r.response()
                .setStatusCode(201)
                .putHeader("content-type", "application/json")
                .putHeader("set-cookie", "s=1")
                .end("{\"payment\":" + PAY.incrementAndGet() + "}"));
    upstream.on(
        "/slow",
        r -> {
          int n = SLOW.incrementAndGet();
          java.util.Objects.requireNonNull(Vertx.currentContext())
              .owner()
              .setTimer(
                  400,
                  t ->
                      r.response()
                          .setStatusCode(201)
                          .putHeader("content-type", "application/json")
                          .end("{\"slow\":" + n + "}"));
        });
    upstream.on(
        "/raw/break",
        r -> {
          BROKEN.incrementAndGet();
          r.response().setChunked(true).putHeader("content-type", "text/plain");
          r.response().write("partial answer...");
          java.util.Objects.requireNonNull(Vertx.currentContext())
              .owner()
              .setTimer(50, t -> r.connection().close());
        });
    upstream.on(
        "/big",
        r -> {
          BIG.incrementAndGet();
          r.response()
              .putHeader("content-type", "application/octet-stream")
              .end(io.vertx.core.buffer.Buffer.buffer(TEN_MB));
        });
    gw =
        TestGateway.start(
            """
            routes:
              - name: pay
                match: { path: /** }
                upstream: UPSTREAM
                public: true
                limits: { timeout: 5s }
                idempotency: { retention: 1h }
            """,
            upstream.port());
  }

  @AfterAll
  static void stop() {
    gw.close();
    upstream.close();
  }

  private static HttpClient client(HttpClient.Version version) {
    return HttpClient.newBuilder()
        .sslContext(gw.sslContext())
        .version(version)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  private static HttpRequest post(TestGateway g, String path, String key, String body) {
    return HttpRequest.newBuilder(URI.create(g.url(path)))
        .timeout(Duration.ofSeconds(20))
        .header("idempotency-key", key)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static String key() {
    return "\"" + UUID.randomUUID() + "\"";
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void aRetryIsAnsweredWithTheStoredResponseAndNeverReachesTheUpstream(HttpClient.Version version)
      throws Exception {
    HttpClient c = client(version);
    String k = key();
    int before = PAY.get();
    HttpResponse<String> first =
        c.send(post(gw, "/pay", k, "{\"amount\":5}"), HttpResponse.BodyHandlers.ofString());
    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(first.headers().firstValue("idempotency-key-retention")).hasValue("3600");
    assertThat(first.headers().firstValue("idempotent-replayed")).isEmpty();
    HttpResponse<String> retry =
        c.send(post(gw, "/pay", k, "{\"amount\":5}"), HttpResponse.BodyHandlers.ofString());
    assertThat(retry.statusCode()).isEqualTo(201);
    // the replay answers a request whose body a stage read whole (ended): on HTTP/2 too
    assertThat(retry.version()).isEqualTo(version);
    assertThat(retry.body()).isEqualTo(first.body());
    assertThat(retry.headers().firstValue("idempotent-replayed")).hasValue("true");
    assertThat(retry.headers().firstValue("set-cookie")).as("cookies are not replayed").isEmpty();
    assertThat(retry.headers().firstValue("x-request-id"))
        .isNotEqualTo(first.headers().firstValue("x-request-id"));
    assertThat(PAY.get() - before).as("requests that reached the upstream").isEqualTo(1);
    HttpResponse<String> other =
        c.send(post(gw, "/pay", k, "{\"amount\":6}"), HttpResponse.BodyHandlers.ofString());
    assertThat(other.statusCode()).isEqualTo(422);
    assertThat(other.body()).contains("\"status\":422", "\"requestId\"");
    assertThat(PAY.get() - before).isEqualTo(1);
  }

  @Test
  void ofAHundredParallelRequestsWithOneKeyExactlyOneReachesTheUpstream() throws Exception {
    HttpClient c = client(HttpClient.Version.HTTP_2);
    String k = key();
    int before = SLOW.get();
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      all.add(c.sendAsync(post(gw, "/slow", k, "{\"n\":1}"), HttpResponse.BodyHandlers.ofString()));
    }
    int executed = 0;
    int refused = 0;
    int replayed = 0;
    for (CompletableFuture<HttpResponse<String>> f : all) {
      HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
      if (r.statusCode() == 409) {
        refused++;
      } else {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        if (r.headers().firstValue("idempotent-replayed").isPresent()) {
          replayed++;
        } else {
          executed++;
        }
      }
    }
    assertThat(executed).isEqualTo(1);
    assertThat(refused + replayed).isEqualTo(99);
    assertThat(SLOW.get() - before).as("requests that reached the upstream").isEqualTo(1);
  }

  @Test
  void aReplayIsFasterThanTheUpstreamAndDoesNotReachIt() throws Exception {
    HttpClient c = client(HttpClient.Version.HTTP_2);
    String k = key();
    c.send(post(gw, "/slow", k, "{}"), HttpResponse.BodyHandlers.ofString());
    int before = SLOW.get();
    long start = System.nanoTime();
    HttpResponse<String> retry =
        c.send(post(gw, "/slow", k, "{}"), HttpResponse.BodyHandlers.ofString());
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(retry.headers().firstValue("idempotent-replayed")).hasValue("true");
    assertThat(SLOW.get()).isEqualTo(before);
    assertThat(millis).as("the upstream takes 400 ms").isLessThan(400);
  }

  @Test
  void anUpstreamThatBreaksOffMidResponseStoresNothingAndTheNextRetryExecutes() throws Exception {
    HttpClient c = client(HttpClient.Version.HTTP_1_1);
    String k = key();
    int before = BROKEN.get();
    try {
      c.send(post(gw, "/raw/break", k, "{}"), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException expected) {
      // the gateway broke the response off too
    }
    long deadline = System.nanoTime() + 5_000_000_000L;
    HttpResponse<String> retry = null;
    while (System.nanoTime() < deadline) {
      try {
        retry = c.send(post(gw, "/raw/break", k, "{}"), HttpResponse.BodyHandlers.ofString());
        if (retry.statusCode() != 409) {
          break;
        }
      } catch (java.io.IOException brokenAgain) {
        break; // executed again, and broken off again
      }
      Thread.sleep(50);
    }
    assertThat(retry == null || retry.headers().firstValue("idempotent-replayed").isEmpty())
        .isTrue();
    assertThat(BROKEN.get() - before).as("the retry executed again").isEqualTo(2);
  }

  @Test
  void aTenMegabyteResponseIsKeptWithoutItsBody() throws Exception {
    HttpClient c = client(HttpClient.Version.HTTP_2);
    String k = key();
    int before = BIG.get();
    HttpResponse<byte[]> first =
        c.send(post(gw, "/big", k, "{}"), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(first.body()).hasSize(TEN_MB.length);
    HttpResponse<byte[]> retry = null;
    for (int i = 0; i < 50; i++) {
      retry = c.send(post(gw, "/big", k, "{}"), HttpResponse.BodyHandlers.ofByteArray());
      if (retry.statusCode() != 409) {
        break;
      }
      Thread.sleep(20);
    }
    HttpResponse<byte[]> last = java.util.Objects.requireNonNull(retry);
    assertThat(last.statusCode()).isEqualTo(200);
    assertThat(last.headers().firstValue("idempotent-replayed")).hasValue("true");
    assertThat(last.headers().firstValue("idempotent-body-omitted")).hasValue("true");
    assertThat(last.body()).isEmpty();
    assertThat(BIG.get() - before).isEqualTo(1);
  }

  @Test
  void malformedAndMissingKeysAreRefusedWith400AndARequestId() throws Exception {
    HttpClient c = client(HttpClient.Version.HTTP_1_1);
    HttpResponse<String> tooLong =
        c.send(post(gw, "/pay", "k".repeat(10 * 1024), "{}"), HttpResponse.BodyHandlers.ofString());
    assertThat(tooLong.statusCode()).isIn(400, 431);
    HttpResponse<String> missing =
        c.send(
            HttpRequest.newBuilder(URI.create(gw.url("/pay")))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(missing.body()).contains("idempotency key required", "\"requestId\"");
    HttpResponse<String> control =
        c.send(post(gw, "/pay", "\"a\\b\"", "{}"), HttpResponse.BodyHandlers.ofString());
    assertThat(control.statusCode()).isEqualTo(400);
  }

  @Test
  void anUnreachableRedisRefusesWith503OrLetsThroughAsConfigured() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    try (TestGateway down =
        TestGateway.start(
            """
            store: { redis: "redis://127.0.0.1:%d", timeout: 200ms }
            routes:
              - name: strict
                match: { path: /pay }
                upstream: UPSTREAM
                public: true
                idempotency: {}
              - name: loose
                match: { path: /slow }
                upstream: UPSTREAM
                public: true
                idempotency: { on-store-failure: allow }
            """
                .formatted(closed),
            upstream.port())) {
      HttpClient c = client(HttpClient.Version.HTTP_2);
      HttpResponse<String> strict =
          c.send(post(down, "/pay", key(), "{}"), HttpResponse.BodyHandlers.ofString());
      assertThat(strict.statusCode()).isEqualTo(503);
      assertThat(strict.body()).contains("\"status\":503", "\"requestId\"");
      HttpResponse<String> loose =
          c.send(post(down, "/slow", key(), "{}"), HttpResponse.BodyHandlers.ofString());
      assertThat(loose.statusCode()).isEqualTo(201);
    }
  }
}
