package dev.bulwark.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.policy.authn.SignedRequests;
import dev.bulwark.policy.authn.SignedRequests.Target;
import dev.bulwark.policy.authn.signature.RequestSigner;
import dev.bulwark.policy.authn.signature.SignatureAlgorithm;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Idempotency records and signature nonces shared by two gateway <em>processes</em> through one
 * real Redis: a retry sent to the other process is answered with the stored response, a key reused
 * with another body is refused there, of parallel requests with one key spread over both exactly
 * one reaches the upstream, and a signature accepted by one process is a refused replay on the
 * other.
 */
class ReplayProtectionTwoProcessesTest {
  private static String config(String redisUrl) {
    return """
        store: { redis: %s, timeout: 2s }
        routes:
          - name: payments
            match: { path: /pay/** }
            upstream: UPSTREAM
            public: true
            limits: { timeout: 10s }
            idempotency: { retention: 1h }
          - name: signed
            match: { path: /signed/** }
            upstream: UPSTREAM
            auth:
              require: [authenticated]
              signature:
                keys: [{ id: client-a, alg: hmac-sha256, key: "${env:CLIENT_A_KEY}" }]
                covered: ["@method", "@path"]
        """
        .formatted(redisUrl);
  }

  private static HttpRequest post(int port, String path, String key, String body) {
    return HttpRequest.newBuilder(URI.create("https://localhost:" + port + path))
        .timeout(Duration.ofSeconds(20))
        .header("idempotency-key", key)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static HttpResponse<String> send(HttpClient c, HttpRequest r) throws Exception {
    return c.send(r, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void twoProcessesShareIdempotencyRecordsAndSignatureNonces() throws Exception {
    AtomicInteger executed = new AtomicInteger();
    String secret = SignedRequests.hmacSecret();
    try (RedisServer redis = RedisServer.start();
        StubUpstream upstream = new StubUpstream();
        TestGateway a =
            TestGateway.start(
                config(redis.url()), upstream.port(), Map.of("CLIENT_A_KEY", secret));
        GatewayProcess b =
            GatewayProcess.start(
                TestGateway.yaml(config(redis.url()), upstream.port()),
                a.dir(),
                Map.of("CLIENT_A_KEY", secret))) {
      upstream.on(
          "/pay/slow",
          r -> {
            int n = executed.incrementAndGet();
            Objects.requireNonNull(Vertx.currentContext())
                .owner()
                .setTimer(
                    300,
                    t ->
                        r.response()
                            .setStatusCode(201)
                            .putHeader("content-type", "application/json")
                            .end("{\"payment\":" + n + "}"));
          });
      HttpClient c =
          HttpClient.newBuilder()
              .sslContext(a.client().sslContext())
              .version(HttpClient.Version.HTTP_2)
              .build();
      int pa = a.httpsPort();
      int pb = b.httpsPort();

      // Both processes connected to Redis (503 until then: on-store-failure deny).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      for (int port : new int[] {pa, pb}) {
        while (readyStatus(c, port) != 200) {
          assertThat(System.nanoTime()).as(b.log()).isLessThan(deadline);
          Thread.sleep(100);
        }
      }

      // A retry sent to the other process is the stored response; the upstream ran once.
      String k = "\"" + UUID.randomUUID() + "\"";
      HttpResponse<String> first = send(c, post(pa, "/pay/slow", k, "{\"amount\":5}"));
      assertThat(first.statusCode()).isEqualTo(201);
      // The record is stored just after the first answer's last byte went out: a retry in that
      // moment (one store round trip) still meets 409, as the docs say, and a client retries.
      HttpResponse<String> retry = send(c, post(pb, "/pay/slow", k, "{\"amount\":5}"));
      for (int i = 0; i < 20 && retry.statusCode() == 409; i++) {
        Thread.sleep(100);
        retry = send(c, post(pb, "/pay/slow", k, "{\"amount\":5}"));
      }
      assertThat(retry.statusCode()).as(b.log()).isEqualTo(201);
      assertThat(retry.body()).isEqualTo(first.body());
      assertThat(retry.headers().firstValue("idempotent-replayed")).hasValue("true");
      assertThat(executed.get()).isEqualTo(1);
      HttpResponse<String> other = send(c, post(pb, "/pay/slow", k, "{\"amount\":6}"));
      assertThat(other.statusCode()).as("same key, another body").isEqualTo(422);
      assertThat(other.body()).contains("\"requestId\"");
      assertThat(executed.get()).isEqualTo(1);

      // Of 40 parallel requests with one key over both processes, one reaches the upstream.
      String shared = "\"" + UUID.randomUUID() + "\"";
      List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        all.add(
            c.sendAsync(
                post(i % 2 == 0 ? pa : pb, "/pay/slow", shared, "{\"n\":1}"),
                HttpResponse.BodyHandlers.ofString()));
      }
      int fresh = 0;
      for (CompletableFuture<HttpResponse<String>> f : all) {
        HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
        assertThat(r.statusCode()).as(r.body()).isIn(201, 409);
        if (r.statusCode() == 201 && r.headers().firstValue("idempotent-replayed").isEmpty()) {
          fresh++;
        }
      }
      assertThat(fresh).as("executions answered as such").isEqualTo(1);
      assertThat(executed.get()).as("requests that reached the upstream").isEqualTo(2);

      // A signature accepted by one process is a replay on the other, and on itself.
      RequestSigner.Headers h =
          SignedRequests.sign(
              Target.of("GET", "https://localhost:" + pa + "/signed/x"),
              List.of("@method", "@path"),
              SignedRequests.now(
                  "client-a",
                  SignatureAlgorithm.HMAC_SHA256,
                  SignatureAlgorithm.HMAC_SHA256.signingKey(secret)));
      assertThat(signed(c, pb, h)).as(b.log()).isEqualTo(200);
      assertThat(signed(c, pa, h)).as("the replay on the other process").isEqualTo(401);
      a.awaitLine("signature-replayed");
      assertThat(signed(c, pb, h)).as("the replay on the same process").isEqualTo(401);
    }
  }

  /** The status of a first request with a fresh key, or -1 while the listener is not up. */
  private static int readyStatus(HttpClient c, int port) {
    try {
      return send(c, post(port, "/pay/ready", "\"" + UUID.randomUUID() + "\"", "{}")).statusCode();
    } catch (Exception notYet) {
      return -1;
    }
  }

  private static int signed(HttpClient c, int port, RequestSigner.Headers h) throws Exception {
    return c.send(
            HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/signed/x"))
                .timeout(Duration.ofSeconds(10))
                .header("Signature-Input", h.signatureInput())
                .header("Signature", h.signature())
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
