package dev.bulwark.endpoint;

import dev.bulwark.policy.Compilation;
import dev.bulwark.policy.GatewayContext;
import java.util.List;

/**
 * One kind of gateway-served endpoint, declared once and listed once in {@link EndpointCatalog}.
 */
public interface EndpointFactory {
  /** Returns the kind's name, as summaries list it. */
  String kind();

  /**
   * Returns the endpoints of this kind that a configuration asks for (none when it asks for none),
   * given the features' compilations once every route is compiled.
   */
  List<GatewayEndpoint> compile(GatewayContext gateway, List<Compilation> features);
}
