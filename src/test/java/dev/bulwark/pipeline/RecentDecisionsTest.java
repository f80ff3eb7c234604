package dev.bulwark.pipeline;

import static dev.bulwark.pipeline.StepPolicy.denying;
import static dev.bulwark.pipeline.StepPolicy.passing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.exchange.DecisionTrace;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.OfflineRequest;
import dev.bulwark.exchange.PlainHeaders;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.policy.Stage;
import dev.bulwark.proxy.UpstreamTarget;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * The ring of recent decisions that the admin API explains: what it holds, what it answers for an
 * id that left it, that was never seen, or when it is off, and the bounds it keeps.
 */
class RecentDecisionsTest {
  private static final Clock NOON =
      Clock.fixed(Instant.parse("2026-12-07T12:00:00Z"), ZoneOffset.UTC);

  /** Marks the exchange answered, as the live writer does; forwards nothing. */
  private static final class Sender implements ExchangeCarrier {
    @Override
    public void forward(Exchange ex, PipelineRoute route, UpstreamTarget upstream) {
      ex.startResponse(200);
    }

    @Override
    public void refusing(Exchange ex, PipelineRoute route, Denial denial, ResponseHead head) {}

    @Override
    public void answering(Exchange ex, ResponseHead head) {}

    @Override
    public void send(Exchange ex, ResponseHead head) {
      ex.startResponse(head.status());
    }

    @Override
    public void resume(Exchange ex, Runnable continuation) {
      continuation.run();
    }
  }

  private final StagePipeline pipeline = new StagePipeline(new Sender());

  private static final Denial NO_TOKEN = Denial.of(401, "unauthorized", "no bearer token");

  /** Runs one exchange with id {@code id} through {@code route}, traced into {@code ring}. */
  private void run(RecentDecisions ring, String id, TestRoute route, String client) {
    Exchange ex =
        new Exchange(
            OfflineRequest.builder("GET", "/api/admin/stats?secret=1")
                .host("api.example.com", -1)
                .client(client)
                .build(),
            new PlainHeaders(),
            pipeline,
            id,
            new String[0],
            route,
            System.nanoTime());
    DecisionTrace trace = Objects.requireNonNull(ring.start(), "the ring is on");
    trace.routed(route.name(), "host *, path /api/admin/**");
    ex.trace(trace);
    ex.enterEdge(route.edgeCount());
    pipeline.proceed(ex);
    RecentDecisions.ended(ex);
  }

  /** Returns an exchange of {@code GET /x} with id {@code id}, traced into {@code ring}. */
  private Exchange traced(RecentDecisions ring, String id) {
    Exchange ex =
        new Exchange(
            OfflineRequest.builder("GET", "/x").build(),
            new PlainHeaders(),
            pipeline,
            id,
            new String[0],
            admin(),
            System.nanoTime());
    ex.trace(Objects.requireNonNull(ring.start(), "the ring is on"));
    return ex;
  }

  private static TestRoute admin() {
    return TestRoute.forwarding(
        "admin", passing(Stage.RATE_LIMIT, "rate-limit"), denying(Stage.AUTHN, "authn", NO_TOKEN));
  }

  @Test
  void aHeldDecisionIsAnsweredAsJsonWithEveryStepAndItsResult() {
    RecentDecisions ring = RecentDecisions.of(4, NOON);
    run(ring, "req-a", admin(), "192.0.2.10");

    RecentDecisions.Answer a = ring.explain("req-a", false);

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.contentType()).isEqualTo("application/json");
    JsonObject body = new JsonObject(a.body());
    assertThat(body.getString("requestId")).isEqualTo("req-a");
    JsonObject d = body.getJsonArray("decisions").getJsonObject(0);
    assertThat(d.getString("time")).isEqualTo("2026-12-07T12:00:00Z");
    assertThat(d.getString("route")).isEqualTo("admin");
    assertThat(d.getJsonObject("request").getString("path"))
        .as("the query is never kept (it may carry secrets)")
        .isEqualTo("/api/admin/stats");
    assertThat(d.getJsonObject("request").getString("client")).isEqualTo("192.0.2.10");
    JsonObject result = d.getJsonObject("result");
    assertThat(result.getInteger("status")).isEqualTo(401);
    assertThat(result.getString("outcome")).isEqualTo("denied");
    assertThat(result.getString("stage")).isEqualTo("authn");
    assertThat(result.getString("policy")).isEqualTo("authn");
    assertThat(result.getString("reason")).isEqualTo("no bearer token");
    JsonArray steps = d.getJsonArray("steps");
    assertThat(steps.stream().map(s -> ((JsonObject) s).getString("step")))
        .containsExactly("route", "enter", "proceed", "enter", "deny");
    assertThat(steps.getJsonObject(4).getString("text"))
        .isEqualTo("401 by authn / authn: no bearer token");
  }

  @Test
  void theTextAnswerIsTheLinesOfBulwarkExplain() {
    RecentDecisions ring = RecentDecisions.of(4, NOON);
    run(ring, "req-a", admin(), "192.0.2.10");

    RecentDecisions.Answer a = ring.explain("req-a", true);

    assertThat(a.contentType()).startsWith("text/plain");
    assertThat(a.body().split("\n"))
        .containsExactly(
            "id        req-a at 2026-12-07T12:00:00Z",
            TraceLines.requestLine("GET", "/api/admin/stats", "api.example.com", "192.0.2.10"),
            "route     admin (host *, path /api/admin/**)",
            "enter     rate-limit / rate-limit",
            "proceed   rate-limit / rate-limit",
            "enter     authn / authn",
            "deny      401 by authn / authn: no bearer token",
            TraceLines.resultLine(401, "denied", "authn", "authn", "no bearer token"));
  }

  @Test
  void anIdThatLeftTheRingIsNoLongerHeldAndOneNeverSeenIsUnknown() {
    RecentDecisions ring = RecentDecisions.of(2, NOON);
    run(ring, "req-1", admin(), "192.0.2.10");
    run(ring, "req-2", admin(), "192.0.2.10");
    run(ring, "req-3", admin(), "192.0.2.10");

    RecentDecisions.Answer gone = ring.explain("req-1", false);
    RecentDecisions.Answer never = ring.explain("req-9", false);

    assertThat(gone.status()).isEqualTo(404);
    assertThat(new JsonObject(gone.body()).getString("error")).isEqualTo("no longer held");
    assertThat(new JsonObject(gone.body()).getString("detail")).contains("last 2 decisions");
    assertThat(never.status()).isEqualTo(404);
    assertThat(new JsonObject(never.body()).getString("error")).isEqualTo("unknown");
    assertThat(ring.explain("req-2", false).status()).isEqualTo(200);
    assertThat(ring.explain("req-3", false).status()).isEqualTo(200);
  }

  @Test
  void aMalformedIdIsUnknownAndNeverEchoed() {
    RecentDecisions ring = RecentDecisions.of(2, NOON);

    RecentDecisions.Answer a = ring.explain("<script>", false);

    assertThat(a.status()).isEqualTo(404);
    assertThat(a.body()).doesNotContain("<script>").contains("\"unknown\"");
  }

  @Test
  void twoExchangesUnderOneIdAreBothAnsweredNewestFirst() {
    // A trusted proxy's X-Request-Id is kept: a client behind it may reuse another's id, and
    // neither decision may hide the other.
    RecentDecisions ring = RecentDecisions.of(4, NOON);
    run(ring, "shared", admin(), "192.0.2.10");
    run(ring, "shared", TestRoute.forwarding("api", passing(Stage.CORS, "cors")), "198.51.100.7");

    JsonArray decisions =
        new JsonObject(ring.explain("shared", false).body()).getJsonArray("decisions");

    assertThat(decisions).hasSize(2);
    assertThat(decisions.getJsonObject(0).getString("route")).isEqualTo("api");
    assertThat(decisions.getJsonObject(0).getJsonObject("request").getString("client"))
        .isEqualTo("198.51.100.7");
    assertThat(decisions.getJsonObject(0).getJsonObject("result").getString("outcome"))
        .isEqualTo("forwarded");
    assertThat(decisions.getJsonObject(1).getString("route")).isEqualTo("admin");
  }

  @Test
  void offTheRingAttachesNothingAndSaysHowToTurnItOn() {
    RecentDecisions off = RecentDecisions.of(0, NOON);

    RecentDecisions.Answer a = off.explain("req-1", false);

    assertThat(off.capacity()).isZero();
    assertThat(RecentDecisions.off().start()).isNull();
    assertThat(off.start()).isNull();
    assertThat(a.status()).isEqualTo(404);
    assertThat(new JsonObject(a.body()).getString("detail")).contains("server.explain-recent");
  }

  @Test
  void aRingIsBoundedAndEachDecisionKeepsABoundedTrace() {
    assertThatThrownBy(() -> RecentDecisions.of(RecentDecisions.MAX + 1, NOON))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("between 0 and 10000");
    assertThatThrownBy(() -> RecentDecisions.of(-1, NOON))
        .isInstanceOf(IllegalArgumentException.class);

    RecentDecisions ring = RecentDecisions.of(1, NOON);
    Exchange ex = traced(ring, "req-long");
    DecisionTrace trace = Objects.requireNonNull(ex.trace());
    for (int i = 0; i < 1000; i++) {
      trace.note("authz", "x".repeat(10_000));
    }
    ex.startResponse(403);
    RecentDecisions.ended(ex);

    JsonObject d =
        new JsonObject(ring.explain("req-long", false).body())
            .getJsonArray("decisions")
            .getJsonObject(0);
    JsonArray steps = d.getJsonArray("steps");
    assertThat(steps).hasSize(RecentDecisions.MAX_STEPS + 1);
    assertThat(steps.getJsonObject(RecentDecisions.MAX_STEPS).getString("text"))
        .isEqualTo((1000 - RecentDecisions.MAX_STEPS) + " more steps not kept");
    assertThat(steps.getJsonObject(0).getString("text").length())
        .isLessThanOrEqualTo(RecentDecisions.MAX_TEXT + 3);
  }

  @Test
  void anExchangeEndedTwiceIsHeldOnce() {
    RecentDecisions ring = RecentDecisions.of(4, NOON);
    Exchange ex = traced(ring, "req-once");
    ex.startResponse(200);

    RecentDecisions.ended(ex);
    RecentDecisions.ended(ex);

    assertThat(ring.held("req-once")).hasSize(1);
  }
}
