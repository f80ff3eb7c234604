package dev.bulwark.server;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.RouteLimits;
import dev.bulwark.identity.UpstreamIdentity;
import dev.bulwark.observe.GatewayMetrics;
import dev.bulwark.policy.PolicyChain;
import dev.bulwark.policy.authn.ForwardAuthPolicy;
import dev.bulwark.policy.errors.ErrorMaskingPolicy;
import dev.bulwark.policy.errors.ErrorsConfig;
import dev.bulwark.policy.headers.SecurityHeadersPolicy;
import dev.bulwark.routing.HostMatcher;
import dev.bulwark.routing.RoutePattern;
import dev.bulwark.routing.RouteTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The forward-auth endpoint as routes of the main listener: its exact path on every host that a
 * route names (and on any host), so that no host-specific route shadows it.
 */
final class ForwardAuthRoutes {
  /** The name under which forward-auth exchanges are counted and logged. */
  static final String NAME = "forward-auth";

  private ForwardAuthRoutes() {}

  static List<RouteTable.Entry<CompiledRoute>> entries(
      String path,
      List<RouteTable.Entry<ForwardAuthPolicy.Protected>> routes,
      ForwardAuthPolicy policy,
      BulwarkConfig config,
      GatewayMetrics metrics,
      UpstreamIdentity identity) {
    CompiledRoute route =
        new CompiledRoute(
            NAME,
            PolicyChain.assemble(
                List.of(
                    SecurityHeadersPolicy.compile(config.defaultHeaders()),
                    new ErrorMaskingPolicy(ErrorsConfig.DEFAULTS),
                    policy)),
            null,
            RouteLimits.DEFAULTS,
            metrics.route(NAME),
            identity,
            List.of());
    List<HostMatcher> hosts = new ArrayList<>();
    hosts.add(HostMatcher.any());
    for (RouteTable.Entry<ForwardAuthPolicy.Protected> e : routes) {
      boolean seen = false;
      for (HostMatcher h : hosts) {
        seen |= h.sameAs(e.host());
      }
      if (!seen) {
        hosts.add(e.host());
      }
    }
    RoutePattern pattern = RoutePattern.parse(path);
    List<RouteTable.Entry<CompiledRoute>> out = new ArrayList<>();
    for (HostMatcher h : hosts) {
      out.add(new RouteTable.Entry<>(h, pattern, Set.of(), route));
    }
    return out;
  }
}
