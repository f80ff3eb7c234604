package dev.bulwark.policy.authn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.ExchangeDriver;
import dev.bulwark.exchange.OfflineRequest;
import dev.bulwark.exchange.PlainHeaders;
import dev.bulwark.policy.authn.SignedRequests.Target;
import dev.bulwark.policy.authn.signature.RequestSignature;
import dev.bulwark.policy.authn.signature.RequestSigner;
import dev.bulwark.policy.authn.signature.SignatureAlgorithm;
import dev.bulwark.policy.authn.signature.SignatureBase;
import dev.bulwark.store.NonceStore;
import dev.bulwark.store.memory.MemoryNonceStore;
import java.security.Key;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * What verifying one HMAC-signed request costs the event loop, stage by stage: the same signed
 * request (the bench row's: {@code GET}, covering {@code @method} and {@code @path}, no nonce)
 * parsed, its signature base built, its HMAC checked, its nonce remembered, and then the whole
 * credential provider (that request, and one with a nonce), each {@code bulwark.cost.ops} times
 * (default 200,000) after a warm-up. Prints bytes allocated and thread CPU per operation; bytes are
 * stable from run to run, CPU on a shared machine is not. A measurement, not a test: it runs only
 * when asked:
 *
 * <pre>
 * mvn -B -q -o test -Dtest=SignedRequestCost -Dbulwark.cost=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@EnabledIfSystemProperty(named = "bulwark.cost", matches = "true")
class SignedRequestCost {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

  private static final List<String> COVERED = List.of("@method", "@path");

  /** One stage, run once per operation; returns something so the work is not optimised away. */
  private interface Stage {
    Object run(int i) throws Exception;
  }

  @Test
  void costPerSignedRequest() throws Exception {
    int n = Integer.getInteger("bulwark.cost.ops", 200_000);
    String secret = SignedRequests.hmacSecret();
    Key key = SignatureAlgorithm.HMAC_SHA256.signingKey(secret);
    Target target = Target.of("GET", "https://api.example.com/hello.json");
    RequestSigner.Headers h = RequestSigner.sign(target, COVERED, parameters(key, null));
    RequestSigner.Headers withNonce =
        RequestSigner.sign(
            target, COVERED, parameters(key, "0f4c3a52-6f6e-4b1c-9d0e-2a7c5e8b9d31"));
    List<String> inputs = List.of(h.signatureInput());
    List<String> signatures = List.of(h.signature());
    RequestSignature sig = RequestSignature.parse(inputs, signatures, 4096, 4).get(0);
    SignatureBase.Bytes base = SignatureBase.build(sig, target);

    NonceStore fresh = (k, lifetime) -> CompletableFuture.completedFuture(Boolean.TRUE);
    MemoryNonceStore memory = new MemoryNonceStore(4L * n + 1);
    String[] nonceKeys = new String[2 * n];
    for (int i = 0; i < nonceKeys.length; i++) {
      nonceKeys[i] = "bench:" + i + "-0f4c3a52-6f6e-4b1c-9d0e";
    }
    Duration lifetime = Duration.ofSeconds(65);

    Exchange exchange = exchange(h);
    Exchange nonceExchange = exchange(withNonce);
    RequestSignatureProvider noNonce = provider(secret, false, fresh);
    RequestSignatureProvider nonceChecked = provider(secret, true, fresh);
    Verdict[] last = new Verdict[1];

    Object[] sink = new Object[1];
    int[] round = {0};
    List<Object[]> stages =
        List.of(
            new Object[] {
              "parse (RequestSignature.parse)",
              (Stage) i -> RequestSignature.parse(inputs, signatures, 4096, 4)
            },
            new Object[] {
              "base (SignatureBase.build)", (Stage) i -> SignatureBase.build(sig, target)
            },
            new Object[] {
              "mac (HMAC verify)",
              (Stage) i -> sig.verifiedBy(SignatureAlgorithm.HMAC_SHA256, key, base)
            },
            new Object[] {
              "nonce (MemoryNonceStore, fresh key)",
              (Stage) i -> memory.remember(nonceKeys[round[0] * n + i], lifetime)
            },
            new Object[] {
              "provider, bench row (no nonce)",
              (Stage)
                  i -> {
                    noNonce.authenticate(exchange, v -> last[0] = v);
                    return last[0];
                  }
            },
            new Object[] {
              "provider, nonce (store answers at once)",
              (Stage)
                  i -> {
                    nonceChecked.authenticate(nonceExchange, v -> last[0] = v);
                    return last[0];
                  }
            });
    for (round[0] = 0; round[0] < 2; round[0]++) { // the first round warms up
      for (Object[] s : stages) {
        String name = (String) s[0];
        Stage stage = (Stage) s[1];
        long bytes0 = THREADS.getCurrentThreadAllocatedBytes();
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
          sink[0] = stage.run(i);
        }
        long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
        long bytes = THREADS.getCurrentThreadAllocatedBytes() - bytes0;
        if (round[0] == 1) {
          System.out.printf(
              "signed request cost: %-40s %7.0f bytes/op %7.0f ns/op%n",
              name, (double) bytes / n, (double) cpu / n);
        }
      }
    }
    assertThat(last[0]).isInstanceOf(Verdict.Authenticated.class);
    assertThat(sink[0]).isNotNull();
  }

  /** The bench row's parameters: {@code bulwark sign} writes {@code alg}; a nonce when given. */
  private static RequestSigner.Parameters parameters(Key key, @Nullable String nonce) {
    return new RequestSigner.Parameters(
        "sig1",
        SignatureAlgorithm.HMAC_SHA256,
        key,
        "bench",
        System.currentTimeMillis() / 1000,
        null,
        nonce,
        null,
        true);
  }

  private static RequestSignatureProvider provider(
      String secret, boolean requireNonce, NonceStore store) {
    SignatureConfig config =
        new SignatureConfig(
            List.of(
                new SignatureConfig.SigningKey(
                    "bench",
                    "sig:bench",
                    SignatureAlgorithm.HMAC_SHA256,
                    SignatureAlgorithm.HMAC_SHA256.verificationKey(secret))),
            COVERED,
            Duration.ofHours(1),
            requireNonce,
            true,
            true,
            "");
    return new RequestSignatureProvider(config, store, Clock.systemUTC(), 1024 * 1024);
  }

  /** One exchange, kept: the provider only reads it. */
  private static Exchange exchange(RequestSigner.Headers h) {
    OfflineRequest request =
        OfflineRequest.builder("GET", "/hello.json")
            .host("api.example.com", -1)
            .header("Signature-Input", h.signatureInput())
            .header("Signature", h.signature())
            .header("Accept", "*/*")
            .header("User-Agent", "wrk")
            .build();
    return new Exchange(
        request,
        new PlainHeaders(),
        new ExchangeDriver() {
          @Override
          public void proceed(Exchange exchange) {}

          @Override
          public void deny(Exchange exchange, Denial denial) {}

          @Override
          public void answer(Exchange exchange, int status) {}

          @Override
          public void resume(Exchange exchange, Runnable continuation) {
            continuation.run();
          }
        },
        "req-1",
        new String[0],
        "bench",
        System.nanoTime());
  }
}
