package dev.bulwark.policy.authz;

import dev.bulwark.access.RouteAccess;
import dev.bulwark.config.ClientCertificateDemand;
import dev.bulwark.config.ConfigNode;
import dev.bulwark.config.IssuerlessCredential;
import dev.bulwark.config.RouteConfig;
import java.util.List;
import java.util.Set;

/**
 * Checks that need both the {@code auth} section and the routes: each protected route's issuers
 * exist (and some issuer does), and public routes that accept unsafe methods are linted.
 */
final class AccessChecks {
  private static final List<String> UNSAFE = List.of("POST", "PUT", "PATCH", "DELETE");

  private AccessChecks() {}

  /**
   * Checks the routes against the issuers; {@code authNode} is the {@code auth} section as written,
   * so that an issuer refused for a mistake of its own still counts as declared (its error is
   * reported once, not again on every route that names it).
   */
  static void check(
      ConfigNode authNode, List<RouteConfig> routes, List<ConfigNode> nodes, List<Boolean> clean) {
    ConfigNode issuersNode = authNode.get("issuers");
    // A section that is not a mapping has its own error; which issuers it meant is unknown.
    boolean known =
        (!authNode.present() || authNode.isMapping())
            && (!issuersNode.present() || issuersNode.isMapping());
    Set<String> declared = issuersNode.isMapping() ? declared(issuersNode) : Set.of();
    for (int i = 0; i < routes.size(); i++) {
      if (!clean.get(i)) {
        continue;
      }
      RouteConfig r = routes.get(i);
      RouteAccess access = r.section(RouteAccess.class);
      ConfigNode n = nodes.get(i);
      if (access.protectedRoute()) {
        if (!known) {
          continue;
        }
        if (declared.isEmpty() && !asksForCertificate(r) && !ownCredential(r)) {
          n.error(
              "requires authentication but auth.issuers is empty (expected: at least one issuer)");
        }
        for (String name : access.issuers()) {
          if (!declared.contains(name)) {
            (n.get("auth").present() ? n.get("auth").get("issuers") : n)
                .error(name + ": unknown issuer (expected one of: " + declared + ")");
          }
        }
      } else if (access.open() && acceptsUnsafe(r.match().methods())) {
        (n.get("public").present() ? n.get("public") : n)
            .warning("public route accepts unsafe methods (POST, PUT, PATCH, DELETE) from anyone");
      }
    }
  }

  /** Returns whether the route asks for a client certificate, a credential without an issuer. */
  private static boolean asksForCertificate(RouteConfig r) {
    for (ClientCertificateDemand d : r.sections().all(ClientCertificateDemand.class)) {
      if (d.requestsClientCertificate()) {
        return true;
      }
    }
    return false;
  }

  /** Returns whether the route brings a credential of its own (signed requests). */
  private static boolean ownCredential(RouteConfig r) {
    for (IssuerlessCredential c : r.sections().all(IssuerlessCredential.class)) {
      if (c.authenticatesWithoutIssuer()) {
        return true;
      }
    }
    return false;
  }

  private static Set<String> declared(ConfigNode issuersNode) {
    Set<String> names = new java.util.LinkedHashSet<>();
    for (var e : issuersNode.entries().entrySet()) {
      names.add(e.getKey());
    }
    return names;
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
