package dev.bulwark.config;

import dev.bulwark.policy.authn.AuthConfig;
import java.util.List;
import java.util.Set;

/**
 * Checks that need both the {@code auth} section and the routes: each protected route's issuers
 * exist (and some issuer does), and public routes that accept unsafe methods are linted.
 */
final class AuthChecks {
  private static final List<String> UNSAFE = List.of("POST", "PUT", "PATCH", "DELETE");

  private AuthChecks() {}

  static void check(
      AuthConfig auth, List<RouteConfig> routes, List<ConfigNode> nodes, List<Boolean> clean) {
    for (int i = 0; i < routes.size(); i++) {
      if (!clean.get(i)) {
        continue;
      }
      RouteConfig r = routes.get(i);
      ConfigNode n = nodes.get(i);
      if (r.access().protectedRoute()) {
        if (auth.issuers().isEmpty()) {
          n.error(
              "requires authentication but auth.issuers is empty (expected: at least one issuer)");
        }
        for (String name : r.access().issuers()) {
          if (!auth.issuers().containsKey(name)) {
            (n.get("auth").present() ? n.get("auth").get("issuers") : n)
                .error(
                    name + ": unknown issuer (expected one of: " + auth.issuers().keySet() + ")");
          }
        }
      } else if (r.access().open() && acceptsUnsafe(r.match().methods())) {
        (n.get("public").present() ? n.get("public") : n)
            .warning("public route accepts unsafe methods (POST, PUT, PATCH, DELETE) from anyone");
      }
    }
  }

  private static boolean acceptsUnsafe(Set<String> methods) {
    if (methods.isEmpty()) {
      return true;
    }
    for (String m : UNSAFE) {
      if (methods.contains(m)) {
        return true;
      }
    }
    return false;
  }
}
