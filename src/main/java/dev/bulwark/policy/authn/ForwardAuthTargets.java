package dev.bulwark.policy.authn;

import dev.bulwark.routing.RouteTable;
import org.jspecify.annotations.Nullable;

/**
 * What the authentication feature's compilation offers the forward-auth endpoint: where {@code
 * auth.forward-auth} puts it, and every route with its rule and credential providers, complete once
 * every route is compiled.
 */
public interface ForwardAuthTargets {
  /** Returns the exact path of the forward-auth endpoint, or null when it is not configured. */
  @Nullable String forwardAuthPath();

  /** Returns every route of the configuration as forward-auth judges it. */
  RouteTable<ProtectedRoute> forwardAuthRoutes();
}
