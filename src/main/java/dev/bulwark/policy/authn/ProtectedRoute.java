package dev.bulwark.policy.authn;

import dev.bulwark.access.RouteAccess;
import java.util.List;

/**
 * A route as an endpoint that judges requests on its behalf (forward-auth) looks it up: its name,
 * its access rule, the names of its path template and its credential providers.
 */
public record ProtectedRoute(
    String name, RouteAccess access, List<String> paramNames, Credentials credentials) {
  public ProtectedRoute {
    paramNames = List.copyOf(paramNames);
  }
}
