package dev.bulwark.pipeline;

import dev.bulwark.config.RouteLimits;
import dev.bulwark.identity.UpstreamIdentity;
import dev.bulwark.observe.GatewayMetrics;
import dev.bulwark.policy.Policy;
import dev.bulwark.proxy.UpstreamTarget;
import org.jspecify.annotations.Nullable;

/**
 * A compiled route as the pipeline runs it: its policies in stage order with the edge ones first,
 * where its requests go, its limits, its meters and the identity it asserts upstream. Immutable and
 * shared by every event loop.
 */
public interface PipelineRoute {
  /** Returns the route's name, as logged and counted. */
  String name();

  /** Returns how many policies the route has. */
  int policyCount();

  /** Returns the policy at {@code index} in stage order. */
  Policy policy(int index);

  /**
   * Returns how many leading policies are edge stages (headers, errors): they never deny, are
   * entered before anything else, and so see every answer on its way out.
   */
  int edgeCount();

  /** Returns the upstream, or null for a route that forwards nowhere (an unmatched request). */
  @Nullable UpstreamTarget upstream();

  /** Returns the route's body, header and time limits. */
  RouteLimits limits();

  /** Returns the route's meters. */
  GatewayMetrics.RouteMeters meters();

  /** Returns the identity headers and assertion sent upstream. */
  UpstreamIdentity identity();
}
