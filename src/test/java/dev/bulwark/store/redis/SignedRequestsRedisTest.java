package dev.bulwark.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.policy.authn.SignedRequests;
import dev.bulwark.policy.authn.SignedRequests.Target;
import dev.bulwark.policy.authn.signature.RequestSigner;
import dev.bulwark.policy.authn.signature.SignatureAlgorithm;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two gateways sharing one real Redis for nonces: a signed request accepted by one is refused as a
 * replay by the other, and with Redis stopped a signed request is refused with 503 (the default
 * on-store-failure: deny).
 */
class SignedRequestsRedisTest {
  private static String config(String redisUrl) {
    return """
        store: { redis: %s, timeout: 1s }
        routes:
          - name: payments
            match: { path: /api/** }
            upstream: UPSTREAM
            auth:
              require: [authenticated]
              signature:
                keys: [{ id: client-a, alg: hmac-sha256, key: "${env:CLIENT_A_KEY}" }]
                covered: ["@method", "@path"]
        """
        .formatted(redisUrl);
  }

  private static int send(TestGateway gw, RequestSigner.Headers h) throws Exception {
    HttpResponse<String> r =
        gw.client()
            .send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + gw.httpsPort() + "/api/x"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Signature-Input", h.signatureInput())
                    .header("Signature", h.signature())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return r.statusCode();
  }

  /** Signs GET /api/x for a gateway's port (both gateways sign the same authority here). */
  private static RequestSigner.Headers sign(int port, String secret) throws Exception {
    return SignedRequests.sign(
        Target.of("GET", "https://localhost:" + port + "/api/x"),
        List.of("@method", "@path"),
        SignedRequests.now(
            "client-a",
            SignatureAlgorithm.HMAC_SHA256,
            SignatureAlgorithm.HMAC_SHA256.signingKey(secret)));
  }

  @Test
  void aSignatureAcceptedByOneGatewayIsARefusedReplayOnTheOtherAndRedisDownDenies()
      throws Exception {
    String secret = SignedRequests.hmacSecret();
    try (RedisServer redis = RedisServer.start();
        StubUpstream upstream = new StubUpstream();
        TestGateway a =
            TestGateway.start(
                config(redis.url()), upstream.port(), Map.of("CLIENT_A_KEY", secret));
        TestGateway b =
            TestGateway.start(
                config(redis.url()), upstream.port(), Map.of("CLIENT_A_KEY", secret))) {
      // @path and @method only: one signature is valid on both gateways' ports
      RequestSigner.Headers h = sign(a.httpsPort(), secret);
      int first = -1;
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (first != 200 && System.nanoTime() < deadline) {
        h = sign(a.httpsPort(), secret); // until Redis is connected (503 before)
        first = send(a, h);
        if (first != 200) {
          Thread.sleep(100);
        }
      }
      assertThat(first).isEqualTo(200);
      assertThat(send(b, h)).as("the replay on the second gateway").isEqualTo(401);
      b.awaitLine("signature-replayed");
      assertThat(send(a, h)).as("the replay on the first gateway").isEqualTo(401);
      redis.down();
      assertThat(send(b, sign(b.httpsPort(), secret))).as("Redis down").isEqualTo(503);
    }
  }
}
