package dev.bulwark.policy.authn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.policy.authn.SignedRequests.Target;
import dev.bulwark.policy.authn.signature.RequestSigner;
import dev.bulwark.policy.authn.signature.SignatureAlgorithm;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * What a signed request costs the gateway's own threads next to a plain one, through a real gateway
 * (one event loop, TLS, HTTP/1.1 on one kept connection, the bench row's settings): bytes allocated
 * and CPU per request on the threads the gateway started, the stub upstream's and the client's left
 * out; and a plain request that carries the same signature headers, to tell what the headers cost
 * (read, forwarded) from what verifying them does. {@code bulwark.cost.requests} (default 5,000) of
 * each after a warm-up. A measurement, not a test: it runs only when asked:
 *
 * <pre>
 * mvn -B -q -o test -Dtest=SignedGatewayCost -Dbulwark.cost=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@EnabledIfSystemProperty(named = "bulwark.cost", matches = "true")
class SignedGatewayCost {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

  @Test
  void signedNextToPlain() throws Exception {
    int n = Integer.getInteger("bulwark.cost.requests", 5_000);
    String secret = SignedRequests.hmacSecret();
    try (StubUpstream upstream = new StubUpstream()) {
      Set<Long> before = threadIds();
      try (TestGateway gw =
          TestGateway.start(
              """
              defaults:
                headers: "off"
                errors: { mask-upstream-5xx: false }
              access-log: { enabled: false }
              routes:
                - name: plain
                  match: { path: /plain/** }
                  public: true
                  upstream: UPSTREAM
                - name: signed
                  match: { path: /api/** }
                  upstream: UPSTREAM
                  auth:
                    require: [authenticated]
                    signature:
                      keys: [{ id: bench, alg: hmac-sha256, key: "${env:BENCH_KEY}" }]
                      covered: ["@method", "@path"]
                      max-skew: 1h
                      require-nonce: false
              """,
              upstream.port(),
              Map.of("BENCH_KEY", secret))) {
        long[] gateway = newThreads(before);
        RequestSigner.Headers h =
            RequestSigner.sign(
                Target.of("GET", gw.url("/api/hello.json")),
                List.of("@method", "@path"),
                new RequestSigner.Parameters(
                    "sig1",
                    SignatureAlgorithm.HMAC_SHA256,
                    SignatureAlgorithm.HMAC_SHA256.signingKey(secret),
                    "bench",
                    System.currentTimeMillis() / 1000,
                    null,
                    null,
                    null,
                    true));
        HttpClient client =
            HttpClient.newBuilder()
                .sslContext(gw.sslContext())
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        HttpRequest plain =
            HttpRequest.newBuilder(URI.create(gw.url("/plain/hello.json")))
                .header("Accept", "*/*")
                .build();
        HttpRequest plainWithHeaders =
            HttpRequest.newBuilder(URI.create(gw.url("/plain/hello.json")))
                .header("Accept", "*/*")
                .header("Signature-Input", h.signatureInput())
                .header("Signature", h.signature())
                .build();
        HttpRequest signed =
            HttpRequest.newBuilder(URI.create(gw.url("/api/hello.json")))
                .header("Accept", "*/*")
                .header("Signature-Input", h.signatureInput())
                .header("Signature", h.signature())
                .build();
        for (int round = 0; round < 2; round++) { // the first round warms up
          for (HttpRequest r :
              List.of(plain, plainWithHeaders, signed, plain, plainWithHeaders, signed)) {
            long bytes0 = allocated(gateway);
            long cpu0 = cpu(gateway);
            for (int i = 0; i < n; i++) {
              HttpResponse<Void> answer = client.send(r, HttpResponse.BodyHandlers.discarding());
              assertThat(answer.statusCode()).isEqualTo(200);
              upstream.poll(0);
            }
            long bytes = allocated(gateway) - bytes0;
            long cpu = cpu(gateway) - cpu0;
            if (round == 1) {
              System.out.printf(
                  "gateway cost: %-30s %7.0f bytes/request %7.0f ns/request on %d gateway"
                      + " threads%n",
                  r == plain ? "plain" : r == signed ? "signed" : "plain + the signature headers",
                  (double) bytes / n,
                  (double) cpu / n,
                  gateway.length);
            }
          }
        }
      }
    }
  }

  private static Set<Long> threadIds() {
    Set<Long> ids = new HashSet<>();
    for (long id : THREADS.getAllThreadIds()) {
      ids.add(id);
    }
    return ids;
  }

  /** The threads started since {@code before}: the gateway's (event loop, timers, workers). */
  private static long[] newThreads(Set<Long> before) {
    return java.util.Arrays.stream(THREADS.getAllThreadIds())
        .filter(id -> !before.contains(id))
        .toArray();
  }

  private static long allocated(long[] ids) {
    long sum = 0;
    for (long b : THREADS.getThreadAllocatedBytes(ids)) {
      sum += Math.max(0, b);
    }
    return sum;
  }

  private static long cpu(long[] ids) {
    long sum = 0;
    for (long id : ids) {
      sum += Math.max(0, THREADS.getThreadCpuTime(id));
    }
    return sum;
  }
}
