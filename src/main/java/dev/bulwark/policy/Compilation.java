package dev.bulwark.policy;

import java.util.List;

/**
 * One feature's part in compiling one configuration: the policies of each route (in any order; the
 * chain sorts them by stage), then what serves the whole gateway once every route is compiled. The
 * endpoints the gateway serves itself ({@code dev.bulwark.endpoint}) read what they need from a
 * feature's compilation through interfaces of the feature's own package; a feature never names an
 * endpoint.
 */
@FunctionalInterface
public interface Compilation {
  /** Returns the feature's policies on one route (none when the route does not use it). */
  List<Policy> route(RouteContext route);

  /** Returns the feature's gateway-wide policies (asked after every route). */
  default List<GatewayPolicy> gateway() {
    return List.of();
  }
}
