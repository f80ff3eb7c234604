package dev.bulwark.policy.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import dev.bulwark.store.IdempotencyStore;
import dev.bulwark.store.memory.MemoryIdempotencyStore;
import dev.bulwark.testing.FakeExchange;
import dev.bulwark.testing.FakeExchange.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The idempotency policy against a fake exchange: every refusal and every replay of issue 20. */
class IdempotencyPolicyTest {
  private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
  private final SecurityEvents security = SecurityEvents.of(events::add);
  private final MemoryIdempotencyStore store = new MemoryIdempotencyStore(1000, 1 << 24);

  private IdempotencyPolicy policy(IdempotencyConfig config) {
    return policy(config, store);
  }

  private IdempotencyPolicy policy(IdempotencyConfig config, IdempotencyStore on) {
    return new IdempotencyPolicy("payments", config, on, security, 1 << 20, Duration.ofMinutes(1));
  }

  private static IdempotencyConfig with(
      boolean required, boolean store5xx, long maxBody, boolean deny) {
    IdempotencyConfig d = IdempotencyConfig.DEFAULTS;
    return new IdempotencyConfig(
        true,
        d.methods(),
        required,
        d.retention(),
        maxBody,
        store5xx,
        false,
        d.inFlightWait(),
        List.of("x-tenant"),
        deny);
  }

  /** Authenticates every request as {@code subject}, as the AUTHN stage would. */
  private static Policy as(String subject) {
    return new Policy() {
      @Override
      public Stage stage() {
        return Stage.AUTHN;
      }

      @Override
      public String name() {
        return "authn";
      }

      @Override
      public void onRequest(Exchange ex) {
        ex.authenticated(subject);
        ex.proceed();
      }
    };
  }

  private static FakeExchange.Builder post(String key, String body) {
    return FakeExchange.request("POST", "/api/payments?x=1")
        .header("idempotency-key", key)
        .header("content-length", String.valueOf(body.length()))
        .body(body);
  }

  private static FakeExchange.Builder created(FakeExchange.Builder b) {
    return b.upstream(201, "content-type", "application/json", "location", "/api/payments/7")
        .upstreamBody("{\"id\":7}");
  }

  // Hostile and malformed keys first.

  @Test
  void aMissingKeyIsRefusedWith400WhenRequired() {
    FakeExchange fx =
        FakeExchange.request("POST", "/api/payments")
            .requestId("r-1")
            .run(policy(IdempotencyConfig.DEFAULTS));
    assertThat(fx.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(fx.status()).isEqualTo(400);
    assertThat(fx.responseBody()).contains("\"requestId\":\"r-1\"", "idempotency key required");
  }

  @Test
  void aKeyOfTenKilobytesIsRefusedWith400() {
    FakeExchange fx = post("k".repeat(10 * 1024), "{}").run(policy(IdempotencyConfig.DEFAULTS));
    assertThat(fx.status()).isEqualTo(400);
    assertThat(fx.responseBody()).contains("invalid idempotency key");
    assertThat(store.claims()).isZero();
  }

  @Test
  void keysWithControlCharactersOrOverTheLengthOrWithParametersAreRefused() {
    for (String bad :
        new String[] {
          "\"abc\u0001def\"",
          "abc\u007fdef",
          "\"" + "a".repeat(256) + "\"",
          "\"abc\";p=1",
          "\"unterminated",
          "a,b",
          "\"\"",
          "   ",
          "\"bad\\escape\""
        }) {
      FakeExchange fx = post(bad, "{}").run(policy(IdempotencyConfig.DEFAULTS));
      assertThat(fx.status()).as(bad).isEqualTo(400);
    }
  }

  @Test
  void twoKeysInOneRequestAreRefused() {
    FakeExchange fx =
        post("a", "{}").header("idempotency-key", "b").run(policy(IdempotencyConfig.DEFAULTS));
    assertThat(fx.status()).isEqualTo(400);
  }

  @Test
  void theSameKeyWithAnotherBodyIsRefusedWith422AndAnEvent() {
    IdempotencyPolicy p = policy(IdempotencyConfig.DEFAULTS);
    created(post("\"k1\"", "{\"amount\":10}")).run(as("alice"), p);
    FakeExchange other = post("\"k1\"", "{\"amount\":99}").requestId("r-2").run(as("alice"), p);
    assertThat(other.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(other.status()).isEqualTo(422);
    assertThat(other.responseBody()).contains("\"requestId\":\"r-2\"");
    assertThat(events)
        .extracting(SecurityEvent::kind)
        .contains(SecurityEventKind.IDEMPOTENCY_KEY_MISMATCH);
  }

  @Test
  void theSameKeyWithAnotherPathQueryOrFingerprintedHeaderIsRefusedWith422() {
    IdempotencyPolicy p = policy(with(true, false, 1 << 20, true));
    created(post("k2", "{}").header("x-tenant", "a")).run(p);
    assertThat(post("k2", "{}").header("x-tenant", "b").run(p).status()).isEqualTo(422);
    assertThat(
            FakeExchange.request("POST", "/api/payments?x=2")
                .header("idempotency-key", "k2")
                .header("x-tenant", "a")
                .header("content-length", "2")
                .body("{}")
                .run(p)
                .status())
        .isEqualTo(422);
  }

  @Test
  void theSameKeyFromAnotherSubjectIsItsOwnFreshExecution() {
    IdempotencyPolicy p = policy(IdempotencyConfig.DEFAULTS);
    created(post("shared", "{}")).run(as("alice"), p);
    FakeExchange mallory =
        post("shared", "{}").upstream(201).upstreamBody("{\"id\":8}").run(as("mallory"), p);
    assertThat(mallory.outcome())
        .as("mallory's request reaches the upstream")
        .isEqualTo(Outcome.PROCEEDED);
    assertThat(mallory.responseBody()).isEqualTo("{\"id\":8}");
    assertThat(mallory.responseHeaders().get("idempotent-replayed")).isNull();
  }

  @Test
  void theSameKeyFromAnotherAddressOnAPublicRouteIsItsOwnExecution() {
    IdempotencyPolicy p = policy(IdempotencyConfig.DEFAULTS);
    created(post("pub", "{}").client("198.51.100.1")).run(p);
    assertThat(post("pub", "{}").client("198.51.100.2").run(p).outcome())
        .isEqualTo(Outcome.PROCEEDED);
  }

  @Test
  void aRetryWhileTheFirstIsInFlightIsRefusedWith409() {
    IdempotencyPolicy p = policy(IdempotencyConfig.DEFAULTS);
    FakeExchange first = post("k3", "{}").run(p); // forwarded, no answer yet
    assertThat(first.outcome()).isEqualTo(Outcome.PROCEEDED);
    FakeExchange retry = post("k3", "{}").run(p);
    assertThat(retry.status()).isEqualTo(409);
    assertThat(events)
        .extracting(SecurityEvent::kind)
        .contains(SecurityEventKind.DUPLICATE_REQUEST);
    first.clientGone();
    assertThat(post("k3", "{}").run(p).outcome())
        .as("a first request that ended without an answer released its claim")
        .isEqualTo(Outcome.PROCEEDED);
  }

  // The replay.

  @Test
  void aRetryGetsTheStoredResponseWithoutReachingTheUpstream() {
    IdempotencyPolicy p = policy(IdempotencyConfig.DEFAULTS);
    FakeExchange first = created(post("k4", "{\"amount\":10}")).run(p);
    assertThat(first.responseHeaders().get("idempotency-key-retention")).isEqualTo("86400");
    FakeExchange retry = post("k4", "{\"amount\":10}").run(p);
    assertThat(retry.outcome()).isEqualTo(Outcome.ANSWERED);
    assertThat(retry.status()).isEqualTo(201);
    assertThat(retry.responseBody()).isEqualTo("{\"id\":7}");
    assertThat(retry.responseHeaders().get("idempotent-replayed")).isEqualTo("true");
    assertThat(retry.responseHeaders().get("location")).isEqualTo("/api/payments/7");
    assertThat(retry.responseHeaders().get("content-length")).isEqualTo("8");
    assertThat(retry.exchange().decision()).isEqualTo("replay");
  }

  @Test
  void cookiesAndCorsHeadersOfTheFirstResponseAreNotReplayed() {
    IdempotencyPolicy p = policy(IdempotencyConfig.DEFAULTS);
    post("k5", "{}")
        .upstream(
            200,
            "set-cookie",
            "session=abc",
            "access-control-allow-origin",
            "https://a.example",
            "x-kept",
            "yes")
        .upstreamBody("ok")
        .run(p);
    FakeExchange retry = post("k5", "{}").run(p);
    assertThat(retry.responseHeaders().get("set-cookie")).isNull();
    assertThat(retry.responseHeaders().get("access-control-allow-origin")).isNull();
    assertThat(retry.responseHeaders().get("x-kept")).isEqualTo("yes");
  }

  @Test
  void anUpstreamThatBreaksOffMidResponseStoresNothingAndTheRetryExecutes() {
    IdempotencyPolicy p = policy(IdempotencyConfig.DEFAULTS);
    created(post("k6", "{}")).upstreamBrokenOff().run(p);
    assertThat(store.claims()).isZero();
    FakeExchange retry = created(post("k6", "{}")).run(p);
    assertThat(retry.outcome()).isEqualTo(Outcome.PROCEEDED);
  }

  @Test
  void a5xxIsNotKeptUnlessConfigured() {
    IdempotencyPolicy p = policy(IdempotencyConfig.DEFAULTS);
    post("k7", "{}").upstream(503).upstreamBody("down").run(p);
    assertThat(post("k7", "{}").run(p).outcome()).isEqualTo(Outcome.PROCEEDED);

    IdempotencyPolicy keeps = policy(with(true, true, 1 << 20, true));
    post("k8", "{}").upstream(500).upstreamBody("boom").run(keeps);
    FakeExchange retry = post("k8", "{}").run(keeps);
    assertThat(retry.status()).isEqualTo(500);
    assertThat(retry.responseHeaders().get("idempotent-replayed")).isEqualTo("true");
  }

  @Test
  void aResponseOverTheBoundIsKeptWithoutItsBodyAndSaysSo() {
    IdempotencyPolicy p = policy(with(true, false, 16, true));
    post("k9", "{}")
        .upstream(200, "content-type", "text/plain")
        .upstreamBody("x".repeat(64))
        .run(p);
    FakeExchange retry = post("k9", "{}").run(p);
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.responseBody()).isEmpty();
    assertThat(retry.responseHeaders().get("content-length")).isEqualTo("0");
    assertThat(retry.responseHeaders().get("idempotent-body-omitted")).isEqualTo("true");
  }

  @Test
  void theGatewaysOwnAnswerIsNotKept() {
    IdempotencyPolicy p = policy(IdempotencyConfig.DEFAULTS);
    FakeExchange first = post("k10", "{}").run(p);
    first.exchange().deny(dev.bulwark.exchange.Denial.UPSTREAM_UNREACHABLE);
    assertThat(post("k10", "{}").run(p).outcome()).isEqualTo(Outcome.PROCEEDED);
  }

  // Options and store failures.

  @Test
  void anOptionalKeyLetsRequestsWithoutOneThrough() {
    FakeExchange fx =
        FakeExchange.request("POST", "/api/payments")
            .run(policy(with(false, false, 1 << 20, true)));
    assertThat(fx.outcome()).isEqualTo(Outcome.PROCEEDED);
  }

  @Test
  void methodsNotListedNeedNoKey() {
    assertThat(
            FakeExchange.request("PUT", "/api/payments/1")
                .run(policy(IdempotencyConfig.DEFAULTS))
                .outcome())
        .isEqualTo(Outcome.PROCEEDED);
    assertThat(FakeExchange.get("/api/payments").run(policy(IdempotencyConfig.DEFAULTS)).outcome())
        .isEqualTo(Outcome.PROCEEDED);
  }

  @Test
  void aStoreFailureRefusesWith503UnlessAllowed() {
    IdempotencyStore down = new FailingStore();
    FakeExchange denied =
        post("k11", "{}").requestId("r-3").run(policy(IdempotencyConfig.DEFAULTS, down));
    assertThat(denied.status()).isEqualTo(503);
    assertThat(denied.responseBody()).contains("\"requestId\":\"r-3\"");
    FakeExchange allowed = post("k11", "{}").run(policy(with(true, false, 1 << 20, false), down));
    assertThat(allowed.outcome()).isEqualTo(Outcome.PROCEEDED);
  }

  @Test
  void aRecordThatDoesNotDecodeCountsAsAStoreFailure() {
    IdempotencyStore garbage =
        new FailingStore() {
          @Override
          public CompletionStage<Claim> claim(String key, byte[] inFlight, Duration lease) {
            return CompletableFuture.completedFuture(Claim.found(new byte[] {1, 2, 3}));
          }
        };
    assertThat(post("k12", "{}").run(policy(IdempotencyConfig.DEFAULTS, garbage)).status())
        .isEqualTo(503);
  }

  @Test
  void aWaitingRetryGetsTheFirstResponseOnceItIsStored() throws Exception {
    IdempotencyConfig d = IdempotencyConfig.DEFAULTS;
    IdempotencyPolicy p =
        policy(
            new IdempotencyConfig(
                true,
                Set.of("POST"),
                true,
                d.retention(),
                d.maxBody(),
                false,
                true,
                Duration.ofSeconds(5),
                List.of(),
                true));
    FakeExchange first = post("k13", "{}").run(p);
    FakeExchange retry = post("k13", "{}").run(p);
    assertThat(retry.outcome()).as("waits while the first is in flight").isEqualTo(Outcome.PENDING);
    // the first one's answer arrives: stored, then the waiting retry finds it
    ResponseCaptureAccess.finish(first, 201, "{\"id\":1}");
    long deadline = System.nanoTime() + 3_000_000_000L;
    while (retry.status() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(retry.status()).isEqualTo(201);
    assertThat(retry.responseBody()).isEqualTo("{\"id\":1}");
  }

  /** Completes a proceeded fake exchange's response through its recorder, as the writer would. */
  static final class ResponseCaptureAccess {
    static void finish(FakeExchange fx, int status, String body) {
      var r = java.util.Objects.requireNonNull(fx.exchange().responseRecorder());
      r.head(status, new dev.bulwark.exchange.PlainHeaders(), true);
      r.body(io.vertx.core.buffer.Buffer.buffer(body));
      r.complete();
      r.ended();
    }
  }

  /** A store that cannot be reached. */
  private static class FailingStore implements IdempotencyStore {
    @Override
    public CompletionStage<Claim> claim(String key, byte[] inFlight, Duration lease) {
      return CompletableFuture.failedFuture(new IllegalStateException("down"));
    }

    @Override
    public CompletionStage<Boolean> complete(
        String key, byte[] inFlight, byte[] done, Duration retention) {
      return CompletableFuture.failedFuture(new IllegalStateException("down"));
    }

    @Override
    public CompletionStage<Boolean> release(String key, byte[] inFlight) {
      return CompletableFuture.failedFuture(new IllegalStateException("down"));
    }
  }
}
