package dev.bulwark.policy.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.exchange.Exchange;
import dev.bulwark.pipeline.TraceLines;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import dev.bulwark.policy.ratelimit.RateLimitConfig.KeyKind;
import dev.bulwark.policy.ratelimit.RateLimitConfig.KeyPart;
import dev.bulwark.policy.ratelimit.RateLimitConfig.Limit;
import dev.bulwark.store.Consumption;
import dev.bulwark.store.RateLimitStore;
import dev.bulwark.store.memory.MemoryRateLimitStore;
import dev.bulwark.testing.FakeExchange;
import dev.bulwark.testing.FakeExchange.Outcome;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Rate limits against a fake exchange and the in-memory store on a clock that stands still. */
class RateLimitPolicyTest {
  /** Time does not pass unless a test says so: no token refills between two requests. */
  private static final TimeMeter STILL =
      new TimeMeter() {
        @Override
        public long currentTimeNanos() {
          return 1_000_000_000L;
        }

        @Override
        public boolean isWallClockBased() {
          return false;
        }
      };

  private static Limit limit(String name, long n, KeyPart... key) {
    return new Limit(name, List.of(key), n, Duration.ofMinutes(1), n, true);
  }

  private static KeyPart part(KeyKind kind) {
    return new KeyPart(kind, "");
  }

  private static List<Policy> compile(RateLimitStore store, Limit... limits) {
    return RateLimitPolicy.compile("api", new RateLimitConfig(List.of(limits)), store);
  }

  private static List<Policy> memory(Limit... limits) {
    return compile(new MemoryRateLimitStore(1000, STILL), limits);
  }

  /** An authentication stand-in that records a subject when the request names one. */
  private static final Policy SUBJECT_FROM_HEADER =
      new Policy() {
        @Override
        public Stage stage() {
          return Stage.AUTHN;
        }

        @Override
        public String name() {
          return "authn";
        }

        @Override
        public void onRequest(Exchange exchange) {
          String s = exchange.request().header("x-test-subject");
          if (s != null) {
            exchange.authenticated(s);
          }
          exchange.proceed();
        }
      };

  private static FakeExchange.Builder get() {
    return FakeExchange.get("/x").upstream(200);
  }

  @Test
  void aForgedForwardedForDoesNotBuyAFreshBucket() {
    List<Policy> chain = memory(limit("per-ip", 1, part(KeyKind.IP)));
    assertThat(get().run(chain).status()).isEqualTo(200);
    FakeExchange second = get().header("X-Forwarded-For", "198.51.100.9").run(chain);
    assertThat(second.status()).isEqualTo(429);
  }

  @Test
  void theRequestOverTheLimitGets429WithRetryAfterAndRateLimitHeaders() {
    List<Policy> chain = memory(limit("per-ip", 2, part(KeyKind.IP)));
    FakeExchange first = get().run(chain);
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.responseHeaders().get("ratelimit-policy")).isEqualTo("\"per-ip\";q=2;w=60");
    assertThat(first.responseHeaders().get("ratelimit")).startsWith("\"per-ip\";r=1;t=");
    assertThat(first.responseHeaders().contains("retry-after")).isFalse();
    assertThat(get().run(chain).status()).isEqualTo(200);
    FakeExchange third = get().run(chain);
    assertThat(third.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(third.status()).isEqualTo(429);
    assertThat(third.responseHeaders().get("ratelimit")).startsWith("\"per-ip\";r=0;t=");
    assertThat(Long.parseLong(third.responseHeaders().get("retry-after"))).isBetween(1L, 60L);
    assertThat(third.exchange().denyReason()).isEqualTo("rate limit per-ip exceeded");
    assertThat(third.exchange().decidedBy()).isEqualTo("rate-limit");
  }

  @Test
  void eachClientAddressHasItsOwnBucket() {
    List<Policy> chain = memory(limit("per-ip", 1, part(KeyKind.IP)));
    assertThat(get().client("192.0.2.1").run(chain).status()).isEqualTo(200);
    assertThat(get().client("192.0.2.2").run(chain).status()).isEqualTo(200);
    assertThat(get().client("192.0.2.1").run(chain).status()).isEqualTo(429);
  }

  @Test
  void aHeaderKeyFallsBackToTheClientAddressWhenTheHeaderIsMissingOrEmpty() {
    List<Policy> chain = memory(limit("per-key", 1, new KeyPart(KeyKind.HEADER, "x-api-key")));
    assertThat(get().run(chain).status()).isEqualTo(200);
    assertThat(get().header("x-api-key", "").run(chain).status()).isEqualTo(429);
    assertThat(get().header("x-api-key", "k1").run(chain).status()).isEqualTo(200);
    assertThat(get().header("x-api-key", "k1").run(chain).status()).isEqualTo(429);
  }

  @Test
  void longHeaderValuesThatDifferOnlyAtTheEndKeepSeparateBuckets() {
    List<Policy> chain = memory(limit("per-key", 1, new KeyPart(KeyKind.HEADER, "x-api-key")));
    String common = "k".repeat(10_000);
    assertThat(get().header("x-api-key", common + "1").run(chain).status()).isEqualTo(200);
    assertThat(get().header("x-api-key", common + "2").run(chain).status()).isEqualTo(200);
    assertThat(get().header("x-api-key", common + "1").run(chain).status()).isEqualTo(429);
  }

  @Test
  void aSubjectLimitCountsPerSubjectAndAnAnonymousRequestByItsAddress() {
    List<Policy> chain = new ArrayList<>(memory(limit("per-user", 1, part(KeyKind.SUBJECT))));
    assertThat(chain).extracting(Policy::stage).containsExactly(Stage.SUBJECT_LIMIT);
    chain.add(SUBJECT_FROM_HEADER);
    assertThat(get().header("x-test-subject", "alice").run(chain).status()).isEqualTo(200);
    assertThat(get().header("x-test-subject", "bob").run(chain).status()).isEqualTo(200);
    assertThat(get().header("x-test-subject", "alice").run(chain).status()).isEqualTo(429);
    // alice's bucket is not her address's: an anonymous request from it still has its own
    assertThat(get().run(chain).status()).isEqualTo(200);
    assertThat(get().run(chain).status()).isEqualTo(429);
  }

  @Test
  void limitsAreSplitBetweenTheEarlyAndTheSubjectStage() {
    List<Policy> chain =
        memory(limit("per-ip", 5, part(KeyKind.IP)), limit("per-user", 5, part(KeyKind.SUBJECT)));
    assertThat(chain)
        .extracting(Policy::stage)
        .containsExactly(Stage.RATE_LIMIT, Stage.SUBJECT_LIMIT);
    assertThat(chain).extracting(Policy::name).containsExactly("rate-limit", "subject-limit");
  }

  @Test
  void theTighterOfTwoLimitsIsTheOneReported() {
    List<Policy> chain =
        memory(limit("wide", 100, part(KeyKind.ROUTE)), limit("narrow", 3, part(KeyKind.IP)));
    FakeExchange fx = get().run(chain);
    assertThat(fx.responseHeaders().get("ratelimit")).startsWith("\"narrow\";r=2;");
    assertThat(fx.responseHeaders().get("ratelimit-policy"))
        .isEqualTo("\"wide\";q=100;w=60, \"narrow\";q=3;w=60");
  }

  @Test
  void anUnreachableStoreDeniesWith503UnlessTheLimitAllowsOnFailure() {
    RateLimitStore down =
        (key, shape) -> CompletableFuture.failedFuture(new IllegalStateException("unreachable"));
    FakeExchange denied = get().run(compile(down, limit("strict", 5, part(KeyKind.IP))));
    assertThat(denied.status()).isEqualTo(503);
    assertThat(denied.exchange().denyReason()).contains("on-store-failure: deny");
    Limit lenient =
        new Limit("lenient", List.of(part(KeyKind.IP)), 5, Duration.ofMinutes(1), 5, false);
    assertThat(get().run(compile(down, lenient)).outcome()).isEqualTo(Outcome.PROCEEDED);
  }

  @Test
  void aStoreAnswerFromAnotherThreadWaitsToResumeOnTheExchangeLoop() throws Exception {
    CompletableFuture<Consumption> answer = new CompletableFuture<>();
    RateLimitStore later = (key, shape) -> answer;
    FakeExchange fx = get().holdResumes().run(compile(later, limit("per-ip", 5, part(KeyKind.IP))));
    assertThat(fx.outcome()).isEqualTo(Outcome.PENDING);
    Thread store = new Thread(() -> answer.complete(new Consumption(true, 4, 0, 0)));
    store.start();
    store.join();
    // the store thread only queued the continuation: nothing touched the exchange yet
    assertThat(fx.outcome()).isEqualTo(Outcome.PENDING);
    assertThat(fx.pendingResumes()).isEqualTo(1);
    fx.settle();
    assertThat(fx.outcome()).isEqualTo(Outcome.PROCEEDED);
    assertThat(fx.status()).isEqualTo(200);
  }

  @Test
  void aLateStoreAnswerAfterTheExchangeEndedIsIgnored() {
    CompletableFuture<Consumption> answer = new CompletableFuture<>();
    RateLimitStore later = (key, shape) -> answer;
    FakeExchange fx = get().run(compile(later, limit("per-ip", 5, part(KeyKind.IP))));
    fx.exchange().deny(dev.bulwark.exchange.Denial.BODY_TIMEOUT); // a deadline answered first
    answer.complete(new Consumption(false, 0, 1_000_000_000L, 1_000_000_000L));
    assertThat(fx.status()).isEqualTo(408);
    assertThat(fx.exchange().denyReason()).isEqualTo("body not received in time");
  }

  @Test
  void aTracedRequestIsToldWhichLimitCountedItsKeyAndWhatIsLeft() {
    List<Policy> chain = memory(limit("per-ip", 2, part(KeyKind.IP)));
    TraceLines first = new TraceLines();
    TraceLines third = new TraceLines();

    get().trace(first).run(chain);
    get().run(chain);
    FakeExchange refused = get().trace(third).run(chain);

    assertThat(first.lines())
        .contains("note      rate-limit: per-ip [ip=203.0.113.7]: 1 of 2 left");
    assertThat(refused.status()).isEqualTo(429);
    assertThat(third.lines())
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith(
                        "note      rate-limit: per-ip [ip=203.0.113.7]: none left, retry after "));
  }

  @Test
  void aTracedHeaderKeyShowsOnlyTheStartOfItsHash() {
    List<Policy> chain = memory(limit("per-key", 5, new KeyPart(KeyKind.HEADER, "x-api-key")));
    TraceLines keyed = new TraceLines();
    TraceLines anonymous = new TraceLines();

    get().header("x-api-key", "sk-live-very-secret").trace(keyed).run(chain);
    get().trace(anonymous).run(chain);

    assertThat(keyed.lines())
        .anySatisfy(
            l -> assertThat(l).contains("per-key [x-api-key=sha256:").contains("4 of 5 left"))
        .noneSatisfy(l -> assertThat(l).contains("sk-live"));
    assertThat(anonymous.lines())
        .contains("note      rate-limit: per-key [ip=203.0.113.7 (no x-api-key)]: 4 of 5 left");
  }

  @Test
  void aTracedStoreFailureSaysWhatTheLimitDidInstead() {
    RateLimitStore down =
        (key, shape) -> CompletableFuture.failedFuture(new IllegalStateException("down"));
    TraceLines trace = new TraceLines();

    get().trace(trace).run(compile(down, limit("strict", 5, part(KeyKind.IP))));

    assertThat(trace.lines())
        .contains(
            "note      rate-limit: strict [ip=203.0.113.7]: store unavailable, refused"
                + " (on-store-failure: deny)");
  }
}
