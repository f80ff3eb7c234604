package dev.bulwark.server;

import dev.bulwark.config.RouteLimits;
import dev.bulwark.identity.UpstreamIdentity;
import dev.bulwark.observe.GatewayMetrics;
import dev.bulwark.pipeline.PipelineRoute;
import dev.bulwark.policy.AnswersForOtherMethod;
import dev.bulwark.policy.Policy;
import dev.bulwark.proxy.UpstreamTarget;
import org.jspecify.annotations.Nullable;

/**
 * A route ready for requests: its policies in stage order (the edge ones first), its upstream, its
 * limits and its meters. Immutable; shared by every event loop.
 */
final class CompiledRoute implements PipelineRoute {
  final String name;
  final Policy[] policies;
  final int edgeCount;
  final @Nullable UpstreamTarget upstream;
  final RouteLimits limits;
  final GatewayMetrics.RouteMeters meters;
  final UpstreamIdentity identity;

  /** The policy that answers requests asking about another method (CORS preflight), or null. */
  final @Nullable AnswersForOtherMethod asker;

  CompiledRoute(
      String name,
      Policy[] policies,
      @Nullable UpstreamTarget upstream,
      RouteLimits limits,
      GatewayMetrics.RouteMeters meters,
      UpstreamIdentity identity) {
    this.name = name;
    this.identity = identity;
    this.policies = policies;
    this.upstream = upstream;
    this.limits = limits;
    this.meters = meters;
    int edge = 0;
    while (edge < policies.length && policies[edge].stage().edge()) {
      edge++;
    }
    this.edgeCount = edge;
    AnswersForOtherMethod found = null;
    for (Policy p : policies) {
      if (found == null && p instanceof AnswersForOtherMethod a) {
        found = a;
      }
    }
    this.asker = found;
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
    return identity;
  }
}
