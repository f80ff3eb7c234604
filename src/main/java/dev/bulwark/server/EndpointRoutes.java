package dev.bulwark.server;

import dev.bulwark.config.RouteConfig;
import dev.bulwark.routing.HostMatcher;
import dev.bulwark.routing.RoutePattern;
import dev.bulwark.routing.RouteTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An endpoint the gateway serves itself (forward-auth) as routes of the main listener: its exact
 * path on every host that a route names (and on any host), so that no host-specific route shadows
 * it.
 */
final class EndpointRoutes {
  private EndpointRoutes() {}

  static List<RouteTable.Entry<CompiledRoute>> entries(
      String path, List<RouteConfig> routes, CompiledRoute route) {
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
    RoutePattern pattern = RoutePattern.parse(path);
    List<RouteTable.Entry<CompiledRoute>> out = new ArrayList<>();
    for (HostMatcher h : hosts) {
      out.add(new RouteTable.Entry<>(h, pattern, Set.of(), route));
    }
    return out;
  }
}
