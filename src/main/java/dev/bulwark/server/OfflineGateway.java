package dev.bulwark.server;

import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.exchange.DecisionTrace;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.OfflineRequest;
import dev.bulwark.fixture.FixtureRequest;
import dev.bulwark.fixture.FixtureRunner;
import dev.bulwark.fixture.Observed;
import dev.bulwark.identity.AssertionKeys;
import dev.bulwark.identity.Caller;
import dev.bulwark.observe.GatewayMetrics;
import dev.bulwark.observe.SecurityLog;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.OfflineRun;
import dev.bulwark.pipeline.PipelineRoute;
import dev.bulwark.pipeline.RecentDecisions;
import dev.bulwark.pipeline.TraceLines;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.policy.Refusal;
import dev.bulwark.policy.Stage;
import dev.bulwark.proxy.UpstreamTarget;
import dev.bulwark.routing.PathNormalizer;
import dev.bulwark.routing.RequestHost;
import dev.bulwark.routing.RouteTable;
import dev.bulwark.store.Stores;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A configuration compiled as {@code bulwark run} compiles it, but with no listener, no upstream
 * and the embedded store: a request runs through the same checks before routing, the same route
 * table and the same stages, on the calling thread, and its {@link Decision} and trace come back
 * ({@code bulwark test} and {@code bulwark explain}). State the policies keep (rate-limit counters,
 * bans) lives as long as this object, so requests run in a row see each other.
 */
public final class OfflineGateway implements FixtureRunner, AutoCloseable {
  /** The stage names a fixture may expect, besides the policy stages: who decided outside them. */
  public static final String ROUTING = "routing";

  /** The stage named when the gateway itself decided (a body over the limit, a forward). */
  public static final String GATEWAY = "gateway";

  private final CompiledGateway gateway;
  private final Stores stores;
  private final RunClock clock;
  private final BlockingExecutor blocking;

  private OfflineGateway(
      CompiledGateway gateway, Stores stores, RunClock clock, BlockingExecutor blocking) {
    this.gateway = gateway;
    this.stores = stores;
    this.clock = clock;
    this.blocking = blocking;
  }

  /** Compiles {@code config} for offline runs. */
  public static OfflineGateway compile(BulwarkConfig config) {
    Stores stores = Stores.embedded();
    RunClock clock = new RunClock();
    GatewayMetrics metrics = new GatewayMetrics();
    BlockingExecutor blocking =
        new BlockingExecutor(
            config.server().blockingThreads(), config.server().blockingQueue(), metrics.registry());
    CompiledGateway gw =
        CompiledGateway.compile(
            config,
            PolicyCatalog.standard(),
            metrics,
            line -> {},
            stores,
            AssertionKeys.generate(),
            new CompiledGateway.Services(
                SecurityEvents.of(new SecurityLog(line -> {})),
                clock,
                RecentDecisions.off(),
                blocking));
    return new OfflineGateway(gw, stores, clock, blocking);
  }

  /** Returns every stage name a decision can be attributed to, in the order requests meet them. */
  public static List<String> stageNames() {
    List<String> names = new ArrayList<>();
    names.add(ROUTING);
    for (Stage s : Stage.values()) {
      names.add(stageName(s.name()));
    }
    names.add(GATEWAY);
    return names;
  }

  /**
   * Returns the trace name of a {@link Stage} constant's name ({@code RATE_LIMIT} → rate-limit).
   */
  public static String stageName(String constant) {
    return constant.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  @Override
  public Observed run(FixtureRequest request) {
    TraceLines lines = new TraceLines();
    return observed(run(request, lines), lines.lines());
  }

  /** What one run produced: the decision, where it came from, and the route it took. */
  public record Traced(Decision decision, String stage, String route) {}

  /** Runs {@code request}, reporting each step to {@code trace} when one is given. */
  public Traced run(FixtureRequest request, @Nullable DecisionTrace trace) {
    clock.at(request.time());
    OfflineRequest.Builder b = OfflineRequest.builder(request.method(), request.target());
    RequestHost host = RequestHost.parse(request.host());
    b.host(host == null ? "" : host.host(), host == null ? -1 : host.port());
    for (Map.Entry<String, List<String>> h : request.headers().entrySet()) {
      for (String v : h.getValue()) {
        b.header(h.getKey(), v);
      }
    }
    b.client(request.client());
    String body = request.body();
    if (body != null) {
      b.body(body);
    }
    String rawPath = request.path();
    String path = PathNormalizer.normalize(rawPath);
    OfflineRequest view = b.build();

    CompiledRoute route = gateway.fallback();
    String[] params = new String[0];
    Denial early = null;
    String refusedBy = ROUTING;
    Refusal refused = gateway.checkClient(request.client());
    List<String> allowed = List.of();
    RouteTable.Match<CompiledRoute> match = null;
    if (refused != null) {
      early = refused.denial();
      refusedBy = refused.by();
    } else if (!GatewayHandler.isStandardMethod(request.method())) {
      early = GatewayHandler.UNKNOWN_METHOD;
    } else if (host == null) {
      early = GatewayHandler.BAD_HOST;
    } else if (path == null) {
      early = Denial.BAD_PATH;
    } else {
      match = gateway.match(view, host.host(), path, request.method());
      CompiledRoute matched = match.route();
      if (matched != null) {
        route = matched;
        params = match.params();
      } else {
        early = RouteRefusals.of(match);
        allowed = List.copyOf(match.allowed());
      }
    }
    String why =
        refused != null
            ? "refused before routing by " + refused.by()
            : RouteRefusals.why(match, early);
    Caller caller = request.caller();
    PipelineRoute runAs = caller == null ? route : new AsCaller(route, caller);
    OfflineRun run = OfflineRun.of(runAs, view).params(params).matchedBy(why);
    if (trace != null) {
      run.trace(trace);
    }
    FixtureRequest.UpstreamAnswer answer = request.upstream();
    List<String> pairs = new ArrayList<>();
    for (Map.Entry<String, String> h : answer.headers().entrySet()) {
      pairs.add(h.getKey());
      pairs.add(h.getValue());
    }
    run.upstreamAnswer(answer.status(), "", pairs.toArray(new String[0]));
    if (early != null) {
      Denial refusal = early;
      List<String> allow = allowed;
      if (!allow.isEmpty()) {
        run.prepare(ex -> ex.responseHeaders().set("allow", String.join(", ", allow)));
      }
      run.refuse(refusedBy, refusal);
    }
    Decision d = run.run();
    String stage;
    if (d.stage() != null) {
      stage = stageName(d.stage());
    } else if (refused != null) {
      stage = stageName(Stage.BANS.name());
    } else if (early != null) {
      stage = ROUTING;
    } else {
      stage = GATEWAY;
    }
    return new Traced(
        d, stage, early != null && refused == null ? CompiledGateway.NO_ROUTE : route.name);
  }

  private static Observed observed(Traced t, List<String> trace) {
    Decision d = t.decision();
    Map<String, String> headers = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> h : d.headers().entrySet()) {
      headers.put(h.getKey(), String.join(", ", h.getValue()));
    }
    return new Observed(
        d.status(),
        d.outcome().name().toLowerCase(Locale.ROOT),
        t.stage(),
        d.policy(),
        d.reason(),
        t.route(),
        headers,
        trace);
  }

  @Override
  public void close() throws Exception {
    blocking.close();
    stores.close();
  }

  /**
   * The clock of offline runs, which credentials are checked against: the time of the request
   * running ({@code time:} of a fixture, {@code --time} of explain), else the system's.
   */
  private static final class RunClock extends Clock {
    private volatile @Nullable Instant fixed;

    void at(@Nullable Instant time) {
      this.fixed = time;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("the run clock is UTC only");
    }

    @Override
    public Instant instant() {
      Instant t = fixed;
      return t != null ? t : Instant.now();
    }
  }

  /**
   * A route run as an already authenticated caller (a fixture's {@code caller}): its AUTHN policy
   * is replaced by one that records the caller and lets the request through, so the stages after it
   * (subject limits, contract, authorization) decide as they would for a verified token.
   */
  private static final class AsCaller implements PipelineRoute {
    private final CompiledRoute route;
    private final Policy authn;

    AsCaller(CompiledRoute route, Caller caller) {
      this.route = route;
      this.authn =
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
              exchange.attr(Caller.KEY, caller);
              exchange.authenticated(caller.subject());
              DecisionTrace trace = exchange.trace();
              if (trace != null) {
                trace.note(
                    "authn", "authenticated as " + caller.subject() + " (the test's caller)");
              }
              exchange.proceed();
            }
          };
    }

    @Override
    public String name() {
      return route.name;
    }

    @Override
    public int policyCount() {
      return route.policyCount();
    }

    @Override
    public Policy policy(int index) {
      Policy p = route.policy(index);
      return p.stage() == Stage.AUTHN ? authn : p;
    }

    @Override
    public int edgeCount() {
      return route.edgeCount();
    }

    @Override
    public @Nullable UpstreamTarget upstream() {
      return route.upstream();
    }

    @Override
    public dev.bulwark.config.RouteLimits limits() {
      return route.limits();
    }

    @Override
    public GatewayMetrics.RouteMeters meters() {
      return route.meters();
    }

    @Override
    public dev.bulwark.identity.UpstreamIdentity identity() {
      return route.identity();
    }
  }
}
