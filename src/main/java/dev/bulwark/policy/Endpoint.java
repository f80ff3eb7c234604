package dev.bulwark.policy;

import java.util.List;

/**
 * A path the gateway answers itself for a feature (forward-auth), on every host a route names and
 * on any host, so that no host-specific route shadows it; its answers also pass through the edge
 * policies of {@code defaults}.
 */
public record Endpoint(String name, String path, List<Policy> policies) {
  public Endpoint {
    policies = List.copyOf(policies);
  }
}
