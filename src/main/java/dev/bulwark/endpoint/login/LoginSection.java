package dev.bulwark.endpoint.login;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigNode;
import dev.bulwark.config.ConfigSection;
import dev.bulwark.config.MatchConfig;
import dev.bulwark.config.ReadContext;
import dev.bulwark.config.RouteConfig;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Reads {@code login} on a route that serves the login API and checks what such a route needs from
 * the rest of the file: {@code identity.tokens} (it issues the gateway's tokens), a store that
 * holds accounts, and a path that is a plain prefix ({@code /auth/**}).
 */
final class LoginSection implements ConfigSection<LoginSettings> {
  static final String KEY = "login";
  static final Set<String> KEYS = Set.of("mfa-token-ttl");

  @Override
  public Place place() {
    return Place.ROUTE_ONLY;
  }

  @Override
  public List<String> keys() {
    return List.of(KEY);
  }

  @Override
  public Class<LoginSettings> type() {
    return LoginSettings.class;
  }

  @Override
  public LoginSettings absent() {
    return LoginSettings.DEFAULTS;
  }

  @Override
  public LoginSettings read(ConfigNode holder, LoginSettings inherited, ReadContext context) {
    ConfigNode n = holder.get(KEY);
    if (!n.present()) {
      return LoginSettings.DEFAULTS;
    }
    if (!LoginEndpoint.KIND.equals(context.serve())) {
      n.error("on a route that does not serve login (expected: serve: login beside it)");
      return LoginSettings.DEFAULTS;
    }
    if (!n.expectMapping(KEYS)) {
      return LoginSettings.DEFAULTS;
    }
    Duration ttl =
        n.get("mfa-token-ttl")
            .duration(
                LoginSettings.DEFAULTS.mfaTokenTtl(),
                Duration.ofMinutes(1),
                Duration.ofMinutes(15));
    return new LoginSettings(ttl);
  }

  @Override
  public void checkConfig(ConfigNode top, BulwarkConfig config) {
    List<RouteConfig> routes = config.routes();
    if (routes.stream().noneMatch(r -> LoginEndpoint.KIND.equals(r.serve()))) {
      return; // nothing to check, and the routes node is not read twice (its errors are reported)
    }
    List<ConfigNode> nodes = top.get("routes").elements();
    for (int i = 0; i < routes.size() && i < nodes.size(); i++) {
      RouteConfig r = routes.get(i);
      if (!LoginEndpoint.KIND.equals(r.serve())) {
        continue;
      }
      ConfigNode serve = nodes.get(i).get("serve");
      if (!config.tokens().enabled()) {
        serve.error(
            "login without identity.tokens (expected: identity: { tokens: { issuer, audience } }:"
                + " the login API issues the gateway's own tokens)");
      }
      if (!config.store().holdsAccounts()) {
        serve.error(
            "login on a store that keeps no accounts (expected: store.postgres beside"
                + " store.redis)");
      }
      MatchConfig match = r.match();
      if (basePath(match.path()) == null) {
        nodes
            .get(i)
            .get("match")
            .get("path")
            .error(
                match.path()
                    + " on a route that serves login (expected: a plain prefix ending in /**,"
                    + " such as /auth/**)");
      }
    }
  }

  /** Returns the prefix of {@code /auth/**} ({@code /auth}), or null for another shape. */
  static @org.jspecify.annotations.Nullable String basePath(String pattern) {
    if (!pattern.endsWith("/**")) {
      return null;
    }
    String base = pattern.substring(0, pattern.length() - 3);
    if (base.contains("*") || base.contains("{") || base.contains("}")) {
      return null;
    }
    return base.isEmpty() ? "/" : base;
  }
}
