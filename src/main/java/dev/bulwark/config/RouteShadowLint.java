package dev.bulwark.config;

import java.util.List;

/**
 * Warns about a public route whose paths cover a guarded route's (one that requires authentication
 * or validates a contract): the gateway no longer lets a request slip from the guarded route to the
 * public one by spelling (case, {@code ;parameters}, another method), but the public route's
 * upstream may still read some other spelling of a path as the guarded one (a {@code .json} suffix,
 * a trailing slash, its own normalisation) and serve it unchecked.
 */
final class RouteShadowLint {
  private RouteShadowLint() {}

  static void check(List<RouteConfig> routes, Problems problems) {
    for (int i = 0; i < routes.size(); i++) {
      RouteConfig open = routes.get(i);
      if (open.sections().guard() != null) {
        continue;
      }
      for (int j = 0; j < routes.size(); j++) {
        RouteConfig guarded = routes.get(j);
        String guard = guarded.sections().guard();
        if (i == j || guard == null || !covers(open, guarded)) {
          continue;
        }
        problems.warning(
            "routes[" + i + "].match",
            "public route "
                + open.name()
                + " covers the paths of routes["
                + j
                + "] ("
                + guarded.name()
                + ", "
                + guard
                + "): make sure its upstream serves nothing under "
                + guarded.match().path()
                + " by another spelling, or give it the same protection");
      }
    }
  }

  private static boolean covers(RouteConfig open, RouteConfig guarded) {
    MatchConfig a = open.match();
    MatchConfig b = guarded.match();
    return a.hostMatcher().covers(b.hostMatcher()) && a.pattern().covers(b.pattern());
  }
}
