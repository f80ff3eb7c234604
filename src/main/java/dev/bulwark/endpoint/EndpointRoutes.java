package dev.bulwark.endpoint;

import dev.bulwark.config.RouteConfig;
import dev.bulwark.routing.HostMatcher;
import dev.bulwark.routing.RoutePattern;
import dev.bulwark.routing.RouteTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Places an endpoint on the main listener: its exact path on every host that a route names (and on
 * any host), so that no host-specific route shadows it.
 */
public final class EndpointRoutes {
  private EndpointRoutes() {}

  /** Returns the route table entries of an endpoint served by {@code route}. */
  public static <R> List<RouteTable.Entry<R>> entries(
      GatewayEndpoint endpoint, List<RouteConfig> routes, R route) {
    List<HostMatcher> hosts = new ArrayList<>();
    hosts.add(HostMatcher.any());
    for (RouteConfig r : routes) {
      HostMatcher host = r.match().hostMatcher();
      boolean seen = false;
      for (HostMatcher h : hosts) {
        seen |= h.sameAs(host);
      }
      if (!seen) {
        hosts.add(host);
      }
    }
    RoutePattern pattern = RoutePattern.parse(endpoint.path());
    List<RouteTable.Entry<R>> out = new ArrayList<>();
    for (HostMatcher h : hosts) {
      out.add(new RouteTable.Entry<>(h, pattern, Set.of(), route));
    }
    return out;
  }
}
