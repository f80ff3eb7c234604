package dev.bulwark.policy.authz;

import dev.bulwark.access.RouteAccess;
import dev.bulwark.config.ConfigNode;
import dev.bulwark.config.ReadContext;
import dev.bulwark.config.RouteConfig;
import dev.bulwark.policy.Compilation;
import dev.bulwark.policy.GatewayContext;
import dev.bulwark.policy.PolicyFactory;
import dev.bulwark.policy.Stage;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Who may use a route: {@code auth} (a rule, per method when {@code methods} names one, and the
 * accepted issuers) or {@code public: true}, in routes and {@code defaults}; a route that says
 * neither is an error (deny by default). A route the gateway serves ({@code serve}) takes neither:
 * its kind of endpoint decides who may call it, and inherits no rule from {@code defaults}. A
 * protected route gets an {@link AuthzPolicy}; the authentication feature reads the same {@link
 * RouteAccess} for its issuers.
 */
public final class AuthzFactory implements PolicyFactory<RouteAccess> {
  @Override
  public String name() {
    return "authz";
  }

  @Override
  public List<Stage> stages() {
    return List.of(Stage.AUTHZ);
  }

  @Override
  public Place place() {
    return Place.ROUTE;
  }

  @Override
  public List<String> keys() {
    return List.of("auth", "public");
  }

  @Override
  public Class<RouteAccess> type() {
    return RouteAccess.class;
  }

  @Override
  public RouteAccess absent() {
    return RouteAccess.UNSET;
  }

  @Override
  public RouteAccess read(ConfigNode holder, RouteAccess inherited, ReadContext context) {
    String serve = context.serve();
    if (serve != null) {
      for (String key : keys()) {
        if (holder.get(key).present()) {
          holder
              .get(key)
              .error(
                  "on a route that serves "
                      + serve
                      + " (expected: no "
                      + key
                      + "; the endpoint decides who may call it)");
        }
      }
      return RouteAccess.UNSET;
    }
    RouteAccess access = RouteAccess.read(holder.get("auth"), holder.get("public"), inherited);
    if (context.inDefaults()) {
      return access;
    }
    if (!access.configured()) {
      holder.error(
          "neither auth nor public: true (expected: auth: { require: [...] }, or public: true;"
              + " routes are deny-by-default)");
    } else if (access.protectedRoute()) {
      boolean own = holder.get("auth").present();
      access.checkParams(
          context.pathParams(), own ? holder.get("auth") : holder.get("match").get("path"), !own);
    }
    return access;
  }

  @Override
  public void checkRoutes(
      ConfigNode top, List<RouteConfig> routes, List<ConfigNode> nodes, List<Boolean> clean) {
    AccessChecks.check(top.get("auth"), routes, nodes, clean);
  }

  @Override
  public @Nullable String guard(RouteAccess value) {
    return value.protectedRoute() ? "requires authentication" : null;
  }

  @Override
  public Compilation compile(GatewayContext gateway) {
    return route -> {
      RouteAccess access = route.section(RouteAccess.class);
      return access.protectedRoute()
          ? List.of(new AuthzPolicy(route.name(), access, route.pathParams(), gateway.security()))
          : List.of();
    };
  }
}
