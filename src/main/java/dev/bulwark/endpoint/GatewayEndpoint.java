package dev.bulwark.endpoint;

import static java.util.Objects.requireNonNull;

import dev.bulwark.policy.Policy;
import java.util.List;

/**
 * A route whose answer the gateway itself produces: its kind (the name it is logged and counted
 * under), its exact path, and the policies that answer it. Its answers also pass through the edge
 * policies of {@code defaults}, which the core adds.
 */
public record GatewayEndpoint(String kind, String path, List<Policy> policies) {
  public GatewayEndpoint {
    requireNonNull(kind, "kind");
    requireNonNull(path, "path");
    policies = List.copyOf(policies);
    if (policies.isEmpty()) {
      throw new IllegalArgumentException("policies: [] (expected: the policy that answers)");
    }
  }
}
