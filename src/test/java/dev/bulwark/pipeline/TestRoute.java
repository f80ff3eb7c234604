package dev.bulwark.pipeline;

import dev.bulwark.config.RouteLimits;
import dev.bulwark.identity.AssertionKeys;
import dev.bulwark.identity.UpstreamIdentity;
import dev.bulwark.observe.GatewayMetrics;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyChain;
import dev.bulwark.policy.Stage;
import dev.bulwark.proxy.RequestHeaderRules;
import dev.bulwark.proxy.UpstreamTarget;
import java.net.InetSocketAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** A route built by hand for pipeline tests: policies in stage order, an upstream or none. */
final class TestRoute implements PipelineRoute {
  private static final GatewayMetrics METRICS = new GatewayMetrics();
  private static final UpstreamIdentity IDENTITY =
      new UpstreamIdentity(false, AssertionKeys.generate(), "backend", 60);
  static final UpstreamTarget UPSTREAM =
      new UpstreamTarget(
          "127.0.0.1",
          9,
          false,
          "127.0.0.1:9",
          false,
          new UpstreamTarget.ClientKey(false, null, false, 1),
          InetSocketAddress.createUnresolved("127.0.0.1", 9),
          RequestHeaderRules.compile(List.of(), List.of(), false));

  private final String name;
  private final Policy[] policies;
  private final int edgeCount;
  private final @Nullable UpstreamTarget upstream;
  private final RouteLimits limits;
  private final GatewayMetrics.RouteMeters meters;

  private TestRoute(
      String name, List<Policy> policies, @Nullable UpstreamTarget upstream, RouteLimits limits) {
    this.name = name;
    this.policies = PolicyChain.assemble(policies);
    int edge = 0;
    while (edge < this.policies.length
        && (this.policies[edge].stage() == Stage.HEADERS
            || this.policies[edge].stage() == Stage.ERRORS)) {
      edge++;
    }
    this.edgeCount = edge;
    this.upstream = upstream;
    this.limits = limits;
    this.meters = METRICS.route(name);
  }

  /** A route named {@code name} forwarding to a stand-in upstream through {@code policies}. */
  static TestRoute forwarding(String name, Policy... policies) {
    return new TestRoute(name, List.of(policies), UPSTREAM, RouteLimits.DEFAULTS);
  }

  /** A route that forwards nowhere (like the gateway's route for unmatched requests). */
  static TestRoute nowhere(String name, Policy... policies) {
    return new TestRoute(name, List.of(policies), null, RouteLimits.DEFAULTS);
  }

  /** This route with a body limit of {@code maxBody} bytes. */
  TestRoute maxBody(long maxBody) {
    RouteLimits l = RouteLimits.DEFAULTS;
    return new TestRoute(
        name,
        List.of(policies),
        upstream,
        new RouteLimits(
            maxBody,
            l.bodyTimeout(),
            l.connectTimeout(),
            l.timeout(),
            l.sendTimeout(),
            l.bufferBody(),
            l.minUploadRate(),
            l.upstreamPerClient()));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int policyCount() {
    return policies.length;
  }

  @Override
  public Policy policy(int index) {
    return policies[index];
  }

  @Override
  public int edgeCount() {
    return edgeCount;
  }

  @Override
  public @Nullable UpstreamTarget upstream() {
    return upstream;
  }

  @Override
  public RouteLimits limits() {
    return limits;
  }

  @Override
  public GatewayMetrics.RouteMeters meters() {
    return meters;
  }

  @Override
  public UpstreamIdentity identity() {
    return IDENTITY;
  }
}
