package dev.bulwark.endpoint;

import dev.bulwark.config.ConfigSection;
import dev.bulwark.policy.Compilation;
import dev.bulwark.policy.GatewayContext;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.RouteContext;
import java.util.List;

/**
 * One kind of gateway-served endpoint, declared once and listed once in {@link EndpointCatalog}: a
 * route says {@code serve: <kind>} instead of {@code upstream}.
 */
public interface EndpointFactory {
  /** Returns the kind's name, as a route's {@code serve} names it. */
  String kind();

  /**
   * Returns the policies that answer on a route serving this kind (at least one, the last to run
   * answering every request that reaches it), given the features' compilations once every route is
   * compiled.
   */
  List<Policy> serve(GatewayContext gateway, List<Compilation> features, RouteContext route);

  /**
   * Returns the configuration sections the kind reads (its settings beside {@code serve}, its
   * checks of the whole file); none by default.
   */
  default List<ConfigSection<?>> sections() {
    return List.of();
  }
}
