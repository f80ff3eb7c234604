package dev.bulwark.endpoint;

import dev.bulwark.policy.Compilation;
import dev.bulwark.policy.GatewayContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Every kind of endpoint the gateway serves itself, each listed once; adding one is its factory and
 * one line here.
 */
public final class EndpointCatalog {
  private static final EndpointCatalog STANDARD =
      new EndpointCatalog(List.of(new ForwardAuthEndpoint.Factory()));

  private final List<EndpointFactory> factories;

  private EndpointCatalog(List<EndpointFactory> factories) {
    this.factories = List.copyOf(factories);
  }

  /** Returns the catalog of every endpoint kind Bulwark has. */
  public static EndpointCatalog standard() {
    return STANDARD;
  }

  /**
   * Returns the endpoints a configuration asks for, kind by kind.
   *
   * @throws IllegalStateException when two endpoints claim one path (the configuration's checks
   *     keep that from happening)
   */
  public List<GatewayEndpoint> compile(GatewayContext gateway, List<Compilation> features) {
    List<GatewayEndpoint> out = new ArrayList<>();
    Set<String> paths = new HashSet<>();
    for (EndpointFactory f : factories) {
      for (GatewayEndpoint e : f.compile(gateway, features)) {
        if (!paths.add(e.path())) {
          throw new IllegalStateException("endpoint path " + e.path() + ": claimed twice");
        }
        out.add(e);
      }
    }
    return List.copyOf(out);
  }
}
