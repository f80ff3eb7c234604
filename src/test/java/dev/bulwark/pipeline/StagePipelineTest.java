package dev.bulwark.pipeline;

import static dev.bulwark.pipeline.StepPolicy.denying;
import static dev.bulwark.pipeline.StepPolicy.passing;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.exchange.DecisionTrace;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.OfflineRequest;
import dev.bulwark.exchange.PlainHeaders;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.policy.Stage;
import dev.bulwark.proxy.UpstreamTarget;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The stage pipeline against a carrier that records what it is asked to do: who is named as the
 * decider, in what order a refusal is prepared, walked back and sent, and that an exchange with no
 * trace attached runs the same steps.
 */
class StagePipelineTest {
  /** Writes each call as one line; sends mark the exchange answered, as the live writer does. */
  private static final class Carrier implements ExchangeCarrier {
    final List<String> calls = new ArrayList<>();

    @Override
    public void forward(Exchange ex, PipelineRoute route, UpstreamTarget upstream) {
      calls.add("forward " + route.name() + " " + upstream.authority());
    }

    @Override
    public void refusing(Exchange ex, PipelineRoute route, Denial denial, ResponseHead head) {
      calls.add("refusing " + denial.status() + " walked=" + head.headers().getAll("x-walked"));
    }

    @Override
    public void answering(Exchange ex, ResponseHead head) {
      calls.add("answering " + head.status());
    }

    @Override
    public void send(Exchange ex, ResponseHead head) {
      ex.startResponse(head.status());
      calls.add("send " + head.status() + " walked=" + head.headers().getAll("x-walked"));
    }

    @Override
    public void resume(Exchange ex, Runnable continuation) {
      calls.add("resume");
      continuation.run();
    }
  }

  private final Carrier carrier = new Carrier();
  private final StagePipeline pipeline = new StagePipeline(carrier);

  private Exchange exchange(PipelineRoute route) {
    Exchange ex =
        new Exchange(
            OfflineRequest.builder("GET", "/x").build(),
            new PlainHeaders(),
            pipeline,
            "req-1",
            new String[0],
            route,
            System.nanoTime());
    ex.enterEdge(route.edgeCount());
    return ex;
  }

  @Test
  void withoutATraceEveryStageRunsAndTheRequestIsForwarded() {
    List<Object> tracesSeen = new ArrayList<>();
    StepPolicy looks =
        new StepPolicy(
            Stage.AUTHZ,
            "authz",
            ex -> {
              tracesSeen.add(String.valueOf(ex.trace()));
              ex.resume(ex::proceed);
            });
    TestRoute route = TestRoute.forwarding("api", passing(Stage.IP_FILTER, "ip-filter"), looks);
    Exchange ex = exchange(route);

    pipeline.proceed(ex);

    assertThat(tracesSeen).containsExactly("null");
    assertThat(carrier.calls).containsExactly("resume", "forward api 127.0.0.1:9");
    assertThat(ex.entered()).isEqualTo(2);
    assertThat(ex.decision()).isEqualTo("allow");
  }

  @Test
  void aPolicyThatThrowsIsAnsweredWith500UnderItsNameAndNothingIsForwarded() {
    StepPolicy broken =
        new StepPolicy(
            Stage.AUTHZ,
            "authz",
            ex -> {
              throw new IllegalStateException("a bug in a policy");
            });
    TestRoute route = TestRoute.forwarding("api", passing(Stage.HEADERS, "headers"), broken);
    Exchange ex = exchange(route);

    pipeline.proceed(ex);

    assertThat(ex.status()).isEqualTo(500);
    assertThat(ex.decidedBy()).isEqualTo("authz");
    assertThat(carrier.calls).noneMatch(c -> c.startsWith("forward"));
    assertThat(carrier.calls).contains("send 500 walked=[authz, headers]");
  }

  @Test
  void aContinuationThatThrowsIsAnsweredWith500() {
    StepPolicy broken =
        new StepPolicy(
            Stage.AUTHN,
            "authn",
            ex ->
                ex.resume(
                    () -> {
                      throw new IllegalStateException("a bug after a store answered");
                    }));
    Exchange ex = exchange(TestRoute.forwarding("api", broken, passing(Stage.AUTHZ, "authz")));

    pipeline.proceed(ex);

    assertThat(ex.status()).isEqualTo(500);
    assertThat(ex.decidedBy()).isEqualTo("authn");
    assertThat(carrier.calls).noneMatch(c -> c.startsWith("forward"));
  }

  @Test
  void aStageThatComesBackAfterTheExchangeWasAnsweredForwardsNothing() {
    // A stage away on a store or a key fetch while the gateway answered (a body timeout, a body
    // the decoder could not read): its late proceed must neither run later stages nor forward.
    List<Runnable> held = new ArrayList<>();
    StepPolicy away = new StepPolicy(Stage.AUTHN, "authn", ex -> held.add(ex::proceed));
    TestRoute route = TestRoute.forwarding("api", away, passing(Stage.AUTHZ, "authz"));
    Exchange ex = exchange(route);
    pipeline.proceed(ex);
    pipeline.deny(ex, Denial.BODY_TIMEOUT);

    held.forEach(Runnable::run);

    assertThat(carrier.calls).noneMatch(c -> c.startsWith("forward"));
    assertThat(ex.entered()).isEqualTo(1);
    assertThat(ex.status()).isEqualTo(408);
  }

  @Test
  void aRefusalIsPreparedByTheCarrierThenWalkedBackThenSent() {
    TestRoute route =
        TestRoute.forwarding(
            "api",
            passing(Stage.HEADERS, "headers"),
            denying(Stage.IP_FILTER, "ip-filter", Denial.of(403, "forbidden", "deny list")));
    Exchange ex = exchange(route);

    pipeline.proceed(ex);

    assertThat(carrier.calls)
        .containsExactly("refusing 403 walked=[]", "send 403 walked=[ip-filter, headers]");
    assertThat(ex.decidedBy()).isEqualTo("ip-filter");
    assertThat(ex.decision()).isEqualTo("deny");
    assertThat(ex.denyReason()).isEqualTo("deny list");
  }

  @Test
  void aDenialBeforeAnyStageIsTheGatewaysEvenThoughTheEdgeStagesWereEntered() {
    Exchange ex =
        exchange(
            TestRoute.forwarding(
                "api", passing(Stage.HEADERS, "headers"), passing(Stage.ERRORS, "errors")));

    pipeline.deny(ex, Denial.BAD_PATH);

    assertThat(ex.decidedBy()).isEqualTo("gateway");
    assertThat(carrier.calls)
        .containsExactly("refusing 400 walked=[]", "send 400 walked=[errors, headers]");
  }

  @Test
  void anUpstreamFailureAfterEveryStageLetTheRequestThroughIsTheGatewaysNotTheLastPolicys() {
    Exchange ex =
        exchange(
            TestRoute.forwarding(
                "api", passing(Stage.HEADERS, "headers"), passing(Stage.AUTHZ, "authz")));
    pipeline.proceed(ex);
    ex.forwarding(
        new dev.bulwark.exchange.Forwarding() {
          @Override
          public void abort(Denial denial) {}

          @Override
          public void clientGone() {}

          @Override
          public boolean requestEnded() {
            return true;
          }
        });

    pipeline.deny(ex, Denial.of(502, "bad gateway", "upstream refused the connection"));

    assertThat(ex.decidedBy()).isEqualTo("gateway");
  }

  @Test
  void aRefusalByACheckOutsideTheStagesIsLoggedUnderItsName() {
    Exchange ex = exchange(TestRoute.nowhere("none", passing(Stage.HEADERS, "headers")));

    pipeline.deny(ex, Denial.of(403, "client temporarily blocked", "client banned"), "ban");

    assertThat(ex.decidedBy()).isEqualTo("ban");
    assertThat(ex.denyReason()).isEqualTo("client banned");
    assertThat(ex.status()).isEqualTo(403);
  }

  @Test
  void nothingMoreIsDecidedOnceTheExchangeIsAnswered() {
    Exchange ex = exchange(TestRoute.forwarding("api", passing(Stage.HEADERS, "headers")));
    pipeline.deny(ex, Denial.NOT_FOUND);
    carrier.calls.clear();

    pipeline.deny(ex, Denial.BODY_TIMEOUT);
    pipeline.deny(ex, Denial.BODY_TIMEOUT, "ban");
    pipeline.answer(ex, 204);

    assertThat(carrier.calls).isEmpty();
    assertThat(ex.status()).isEqualTo(404);
    assertThat(ex.denyReason()).isEqualTo("no route");
  }

  @Test
  void anAnswerIsPreparedWalkedBackAndSentWithoutChangingTheLoggedDecision() {
    TestRoute route =
        TestRoute.forwarding(
            "auth",
            passing(Stage.HEADERS, "headers"),
            StepPolicy.answering(Stage.AUTHN, "fa", 200));
    Exchange ex = exchange(route);

    pipeline.proceed(ex);

    assertThat(carrier.calls).containsExactly("answering 200", "send 200 walked=[fa, headers]");
    assertThat(ex.responseHeaders().get("content-length")).isEqualTo("0");
    assertThat(ex.decision()).isEqualTo("allow");
  }

  @Test
  void anExchangeWithoutATraceAllocatesNothingOnItsWayThroughTheStages() {
    StagePipeline quiet = new StagePipeline(new Silent());
    TestRoute route =
        TestRoute.forwarding(
            "api",
            passing(Stage.HEADERS, "headers"),
            passing(Stage.IP_FILTER, "ip-filter"),
            passing(Stage.RATE_LIMIT, "rate-limit"),
            passing(Stage.CORS, "cors"),
            passing(Stage.AUTHN, "authn"),
            passing(Stage.AUTHZ, "authz"));
    Exchange untraced = exchangeOn(quiet, route);
    Exchange traced = exchangeOn(quiet, route);
    traced.trace(
        new DecisionTrace() {
          @SuppressWarnings("unused") // kept so that the text is really built
          private String last = "";

          @Override
          public void entered(String stage, String policy) {
            last = stage + " " + policy;
          }
        });

    long withoutTrace = allocatedPerRun(quiet, untraced, route);
    long withTrace = allocatedPerRun(quiet, traced, route);

    assertThat(withoutTrace).isZero();
    assertThat(withTrace).as("the measurement sees a trace's allocations").isPositive();
  }

  @Test
  void withTheRingOfRecentDecisionsOffAnExchangeAllocatesNothingForIt() {
    StagePipeline quiet = new StagePipeline(new Silent());
    TestRoute route =
        TestRoute.forwarding(
            "api",
            passing(Stage.HEADERS, "headers"),
            passing(Stage.RATE_LIMIT, "rate-limit"),
            passing(Stage.AUTHZ, "authz"));
    RecentDecisions off = RecentDecisions.off();
    RecentDecisions on = RecentDecisions.of(64, java.time.Clock.systemUTC());
    Exchange untraced = exchangeOn(quiet, route);
    Exchange traced = exchangeOn(quiet, route);

    // What the gate and the exchange end do per request for the ring: ask it for a trace,
    // attach one if given, and hand the exchange back at its end.
    long whenOff = allocatedPerRun(() -> gateAndEnd(off, quiet, untraced, route));
    long whenOn = allocatedPerRun(() -> gateAndEnd(on, quiet, traced, route));

    assertThat(whenOff).isZero();
    assertThat(whenOn).as("the measurement sees the ring's allocations").isPositive();
  }

  private static void gateAndEnd(
      RecentDecisions ring, StagePipeline p, Exchange ex, PipelineRoute route) {
    DecisionTrace trace = ring.start();
    if (trace != null) {
      trace.routed(route.name(), "path /x");
      ex.trace(trace);
    }
    ex.enterEdge(route.edgeCount());
    p.proceed(ex);
    RecentDecisions.ended(ex);
  }

  private static Exchange exchangeOn(StagePipeline p, PipelineRoute route) {
    return new Exchange(
        OfflineRequest.builder("GET", "/x").build(),
        new PlainHeaders(),
        p,
        "req-1",
        new String[0],
        route,
        System.nanoTime());
  }

  /** Bytes allocated by one walk through every stage to the forward, averaged over many. */
  private static long allocatedPerRun(StagePipeline p, Exchange ex, PipelineRoute route) {
    return allocatedPerRun(
        () -> {
          ex.enterEdge(route.edgeCount());
          p.proceed(ex);
        });
  }

  /** Bytes allocated by one run of {@code walk}, averaged over many. */
  private static long allocatedPerRun(Runnable walk) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    int runs = 20_000;
    for (int i = 0; i < runs; i++) { // warm up, so the measured runs are the steady state
      walk.run();
    }
    long before = threads.getThreadAllocatedBytes(thread);
    for (int i = 0; i < runs; i++) {
      walk.run();
    }
    long after = threads.getThreadAllocatedBytes(thread);
    return (after - before) / runs;
  }

  /** A carrier that does nothing: what is measured is the pipeline's own work. */
  private static final class Silent implements ExchangeCarrier {
    @Override
    public void forward(Exchange ex, PipelineRoute route, UpstreamTarget upstream) {}

    @Override
    public void refusing(Exchange ex, PipelineRoute route, Denial denial, ResponseHead head) {}

    @Override
    public void answering(Exchange ex, ResponseHead head) {}

    @Override
    public void send(Exchange ex, ResponseHead head) {}

    @Override
    public void resume(Exchange ex, Runnable continuation) {
      continuation.run();
    }
  }
}
