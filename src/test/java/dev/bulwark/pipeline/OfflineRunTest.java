package dev.bulwark.pipeline;

import static dev.bulwark.pipeline.StepPolicy.WALKED;
import static dev.bulwark.pipeline.StepPolicy.answering;
import static dev.bulwark.pipeline.StepPolicy.denying;
import static dev.bulwark.pipeline.StepPolicy.passing;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.exchange.DecisionTrace;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.OfflineRequest;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.pipeline.Decision.Outcome;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import dev.bulwark.policy.errors.ErrorMaskingPolicy;
import dev.bulwark.policy.errors.ErrorsConfig;
import dev.bulwark.policy.headers.HeadersConfig;
import dev.bulwark.policy.headers.SecurityHeadersPolicy;
import dev.bulwark.policy.ipfilter.IpFilterConfig;
import dev.bulwark.policy.ipfilter.IpFilterPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A request run through a route's stages with no listener and no upstream: the decision (outcome,
 * status, deciding stage and policy, reason, headers, body) and the trace of every step.
 */
class OfflineRunTest {
  private static final Denial SLOW_DOWN = Denial.of(429, "too many requests", "limit ip exceeded");

  private static OfflineRequest get(String target) {
    return OfflineRequest.builder("GET", target).host("api.example.com", -1).build();
  }

  @Test
  void aRequestEveryStageLetsThroughIsForwardedAndTheAnswerWalksBackInReverse() {
    TestRoute route =
        TestRoute.forwarding(
            "api",
            passing(Stage.AUTHZ, "authz"),
            passing(Stage.HEADERS, "headers"),
            passing(Stage.IP_FILTER, "ip-filter"));

    Decision d = OfflineRun.of(route, get("/api/x")).run();

    assertThat(d.outcome()).isEqualTo(Outcome.FORWARDED);
    assertThat(d.status()).isEqualTo(200);
    assertThat(d.stage()).isNull();
    assertThat(d.policy()).isEqualTo("gateway");
    assertThat(d.reason()).isEmpty();
    assertThat(d.headers().get(WALKED)).containsExactly("authz", "ip-filter", "headers");
  }

  @Test
  void aDenialNamesItsStageAndPolicyAndOnlyTheStagesEnteredSeeTheAnswer() {
    TestRoute route =
        TestRoute.forwarding(
            "api",
            passing(Stage.HEADERS, "headers"),
            passing(Stage.IP_FILTER, "ip-filter"),
            denying(Stage.RATE_LIMIT, "rate-limit", SLOW_DOWN),
            passing(Stage.AUTHZ, "authz"));

    Decision d = OfflineRun.of(route, get("/api/x")).requestId("req-offline-1").run();

    assertThat(d.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(d.status()).isEqualTo(429);
    assertThat(d.stage()).isEqualTo("RATE_LIMIT");
    assertThat(d.policy()).isEqualTo("rate-limit");
    assertThat(d.reason()).isEqualTo("limit ip exceeded");
    assertThat(d.headers().get(WALKED)).containsExactly("rate-limit", "ip-filter", "headers");
    assertThat(d.header("Content-Type")).isEqualTo("application/json");
    assertThat(d.body())
        .contains("\"status\":429")
        .contains("\"requestId\":\"req-offline-1\"")
        .doesNotContain("limit ip exceeded");
    assertThat(d.header("content-length")).isEqualTo(String.valueOf(d.body().length()));
    assertThat(d.header("X-Request-Id")).isEqualTo("req-offline-1");
    assertThat(d.header("date")).isNotNull();
  }

  @Test
  void aRealPolicyDecidesOfflineAsItWouldLive() {
    TestRoute route =
        TestRoute.forwarding(
            "office",
            SecurityHeadersPolicy.compile(HeadersConfig.STRICT),
            IpFilterPolicy.compile(new IpFilterConfig(List.of("10.0.0.0/8"), List.of())));

    Decision outside =
        OfflineRun.of(
                route,
                OfflineRequest.builder("GET", "/x")
                    .client("203.0.113.7")
                    .header("X-Forwarded-For", "10.1.2.3")
                    .build())
            .run();
    Decision inside =
        OfflineRun.of(route, OfflineRequest.builder("GET", "/x").client("10.1.2.3").build()).run();

    assertThat(outside.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(outside.status()).isEqualTo(403);
    assertThat(outside.stage()).isEqualTo("IP_FILTER");
    assertThat(outside.policy()).isEqualTo("ip-filter");
    assertThat(outside.reason()).isEqualTo("client address not on the ip-filter allow list");
    assertThat(outside.header("strict-transport-security")).isNotNull();
    assertThat(inside.outcome()).isEqualTo(Outcome.FORWARDED);
    assertThat(inside.header("strict-transport-security")).isNotNull();
  }

  @Test
  void anAnswerByAPolicyIsReportedWithItsStageAndCarriesNoBody() {
    Decision preflight =
        OfflineRun.of(
                TestRoute.forwarding(
                    "api", passing(Stage.HEADERS, "headers"), answering(Stage.CORS, "cors", 204)),
                OfflineRequest.builder("OPTIONS", "/api/x").build())
            .run();
    Decision ok =
        OfflineRun.of(
                TestRoute.forwarding("auth", answering(Stage.AUTHN, "forward-auth", 200)),
                get("/auth"))
            .run();

    assertThat(preflight.outcome()).isEqualTo(Outcome.ANSWERED);
    assertThat(preflight.status()).isEqualTo(204);
    assertThat(preflight.stage()).isEqualTo("CORS");
    assertThat(preflight.policy()).isEqualTo("cors");
    assertThat(preflight.header("content-length")).isNull();
    assertThat(preflight.headers().get(WALKED)).containsExactly("cors", "headers");
    assertThat(preflight.body()).isEmpty();
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.header("content-length")).isEqualTo("0");
  }

  @Test
  void aRouteThatForwardsNowhereIsRefusedByTheGatewayWith404() {
    Decision d =
        OfflineRun.of(TestRoute.nowhere("none", passing(Stage.HEADERS, "headers")), get("/nope"))
            .run();

    assertThat(d.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(d.status()).isEqualTo(404);
    assertThat(d.stage()).isNull();
    assertThat(d.policy()).isEqualTo("gateway");
    assertThat(d.reason()).isEqualTo("no route");
    assertThat(d.headers().get(WALKED)).containsExactly("headers");
  }

  @Test
  void aDeclaredBodyOverTheRoutesLimitIsRefusedBeforeAnyStage() {
    RecordingTrace trace = new RecordingTrace();
    TestRoute route =
        TestRoute.forwarding(
                "upload", passing(Stage.HEADERS, "headers"), passing(Stage.IP_FILTER, "ip-filter"))
            .maxBody(4);

    Decision d =
        OfflineRun.of(route, OfflineRequest.builder("POST", "/upload").body("hello").build())
            .trace(trace)
            .run();

    assertThat(d.status()).isEqualTo(413);
    assertThat(d.policy()).isEqualTo("gateway");
    assertThat(d.reason()).isEqualTo("body over the route's limit");
    assertThat(d.headers().get(WALKED)).containsExactly("headers");
    assertThat(trace.lines)
        .containsExactly(
            "routed upload (given to the offline run)",
            "denied null gateway 413 body over the route's limit");
  }

  @Test
  void aBodyWithinTheLimitReachesThePolicyThatReadsIt() {
    AtomicReference<String> seen = new AtomicReference<>();
    StepPolicy contract =
        new StepPolicy(
            Stage.CONTRACT,
            "contract",
            ex ->
                ex.readBody(
                    5,
                    body -> {
                      seen.set(new String(body, StandardCharsets.UTF_8));
                      ex.proceed();
                    }));
    TestRoute route = TestRoute.forwarding("orders", contract);

    Decision fits =
        OfflineRun.of(route, OfflineRequest.builder("POST", "/o").body("{\"a\"}").build()).run();
    Decision over =
        OfflineRun.of(route, OfflineRequest.builder("POST", "/o").body("{\"a\":1}").build()).run();

    assertThat(fits.outcome()).isEqualTo(Outcome.FORWARDED);
    assertThat(seen.get()).isEqualTo("{\"a\"}");
    assertThat(over.status()).isEqualTo(413);
    assertThat(over.stage()).isEqualTo("CONTRACT");
    assertThat(over.policy()).isEqualTo("contract");
  }

  @Test
  void theTraceSeesTheRouteEachPolicyEnteredEachVerdictAndThePoliciesNotes() {
    RecordingTrace trace = new RecordingTrace();
    StepPolicy limit =
        new StepPolicy(
            Stage.RATE_LIMIT,
            "rate-limit",
            ex -> {
              DecisionTrace t = ex.trace();
              if (t != null) {
                t.note("rate-limit", "limit ip counted 101/100");
              }
              ex.deny(SLOW_DOWN);
            });
    TestRoute route =
        TestRoute.forwarding(
            "api",
            passing(Stage.HEADERS, "headers"),
            passing(Stage.ERRORS, "errors"),
            passing(Stage.IP_FILTER, "ip-filter"),
            limit,
            passing(Stage.AUTHZ, "authz"));

    OfflineRun.of(route, get("/api/x"))
        .matchedBy("host=api.example.com path=/api/** GET")
        .trace(trace)
        .run();

    assertThat(trace.lines)
        .containsExactly(
            "routed api (host=api.example.com path=/api/** GET)",
            "entered IP_FILTER ip-filter",
            "proceeded IP_FILTER ip-filter",
            "entered RATE_LIMIT rate-limit",
            "note rate-limit: limit ip counted 101/100",
            "denied RATE_LIMIT rate-limit 429 limit ip exceeded");
  }

  @Test
  void aForwardedRequestIsTracedWithItsUpstream() {
    RecordingTrace trace = new RecordingTrace();

    OfflineRun.of(TestRoute.forwarding("api", passing(Stage.AUTHZ, "authz")), get("/x"))
        .trace(trace)
        .run();

    assertThat(trace.lines)
        .containsExactly(
            "routed api (given to the offline run)",
            "entered AUTHZ authz",
            "proceeded AUTHZ authz",
            "forwarded api -> http://127.0.0.1:9");
  }

  @Test
  void aContinuationFromAnotherThreadRunsOnTheCallingThreadBeforeTheDecision() {
    AtomicReference<Thread> ranOn = new AtomicReference<>();
    StepPolicy remote =
        new StepPolicy(
            Stage.AUTHN,
            "authn",
            ex -> {
              Thread store =
                  new Thread(
                      () ->
                          ex.resume(
                              () -> {
                                ranOn.set(Thread.currentThread());
                                ex.authenticated("alice");
                                ex.proceed();
                              }));
              store.start();
            });

    Decision d = OfflineRun.of(TestRoute.forwarding("api", remote), get("/x")).run();

    assertThat(d.outcome()).isEqualTo(Outcome.FORWARDED);
    assertThat(d.subject()).isEqualTo("alice");
    assertThat(ranOn.get()).isSameAs(Thread.currentThread());
  }

  @Test
  void aPolicyThatNeverDecidesLeavesTheRunPendingAfterItsTimeout() {
    StepPolicy silent = new StepPolicy(Stage.AUTHZ, "authz", ex -> {});

    Decision d =
        OfflineRun.of(TestRoute.forwarding("api", silent), get("/x"))
            .timeout(Duration.ofMillis(50))
            .run();

    assertThat(d.outcome()).isEqualTo(Outcome.PENDING);
    assertThat(d.status()).isZero();
    assertThat(d.headers()).isEmpty();
  }

  @Test
  void theResponseStagesSeeTheStandInUpstreamAnswer() {
    TestRoute route =
        TestRoute.forwarding(
            "api",
            SecurityHeadersPolicy.compile(HeadersConfig.STRICT),
            new ErrorMaskingPolicy(ErrorsConfig.DEFAULTS));

    Decision d =
        OfflineRun.of(route, get("/x"))
            .requestId("req-offline-2")
            .upstreamAnswer(
                503, "java.lang.IllegalStateException at Db.java:42", "Server", "nginx/1.22.1")
            .run();

    assertThat(d.outcome()).isEqualTo(Outcome.FORWARDED);
    assertThat(d.status()).isEqualTo(503);
    assertThat(d.header("server")).isNull();
    assertThat(d.body())
        .contains("\"requestId\":\"req-offline-2\"")
        .doesNotContain("IllegalStateException");
  }

  @Test
  void aResponseCheckThatBlocksTheUpstreamBodyTurnsTheAnswerInto502() {
    Policy check = passing(Stage.CONTRACT, "contract");
    Policy blocking =
        new Policy() {
          @Override
          public Stage stage() {
            return Stage.CONTRACT;
          }

          @Override
          public String name() {
            return "contract";
          }

          @Override
          public void onResponse(Exchange ex, ResponseHead head) {
            head.filterBody(1024, body -> ResponseHead.Filtered.block("field secret not allowed"));
          }
        };

    Decision passed = OfflineRun.of(TestRoute.forwarding("api", check), get("/x")).run();
    Decision blocked =
        OfflineRun.of(TestRoute.forwarding("api", blocking), get("/x"))
            .upstreamAnswer(200, "{\"secret\":1}", "Content-Type", "application/json")
            .run();

    assertThat(passed.status()).isEqualTo(200);
    assertThat(blocked.outcome()).isEqualTo(Outcome.FORWARDED);
    assertThat(blocked.status()).isEqualTo(502);
    assertThat(blocked.reason()).isEqualTo("field secret not allowed");
    assertThat(blocked.body()).contains("bad gateway").doesNotContain("secret");
  }

  @Test
  void whatTheCallerPreparesOnTheExchangeIsThereBeforeTheFirstStage() {
    AtomicReference<String> seenByAuthz = new AtomicReference<>();
    StepPolicy authz =
        new StepPolicy(
            Stage.AUTHZ,
            "authz",
            ex -> {
              seenByAuthz.set(ex.subject());
              ex.proceed();
            });

    Decision d =
        OfflineRun.of(TestRoute.forwarding("api", authz), get("/x"))
            .prepare(ex -> ex.authenticated("alice"))
            .run();

    assertThat(seenByAuthz.get()).isEqualTo("alice");
    assertThat(d.subject()).isEqualTo("alice");
  }
}
