package dev.bulwark.policy.authn;

import dev.bulwark.routing.RouteTable;

/**
 * What the authentication feature's compilation offers the forward-auth endpoint: every route with
 * its rule and credential providers, complete once every route is compiled.
 */
public interface ForwardAuthTargets {
  /** Returns every route of the configuration as forward-auth judges it. */
  RouteTable<ProtectedRoute> forwardAuthRoutes();
}
