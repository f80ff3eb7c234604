package dev.bulwark.config;

import dev.bulwark.policy.authz.RouteAccess;
import dev.bulwark.policy.contract.ContractConfig;
import dev.bulwark.policy.cors.CorsConfig;
import dev.bulwark.policy.errors.ErrorsConfig;
import dev.bulwark.policy.headers.HeadersConfig;
import dev.bulwark.policy.ipfilter.IpFilterConfig;
import dev.bulwark.policy.ratelimit.RateLimitConfig;
import java.nio.file.Path;
import java.util.Set;

/** One route: a name, what it matches, where it forwards, and its policies and limits. */
public record RouteConfig(
    String name,
    MatchConfig match,
    UpstreamConfig upstream,
    HeadersConfig headers,
    ErrorsConfig errors,
    IpFilterConfig ipFilter,
    RateLimitConfig rateLimit,
    CorsConfig cors,
    RouteLimits limits,
    RouteAccess access,
    ContractConfig contract) {

  static final Set<String> KEYS =
      Set.of(
          "name",
          "match",
          "upstream",
          "headers",
          "errors",
          "ip-filter",
          "rate-limit",
          "cors",
          "limits",
          "auth",
          "public",
          "contract");

  /** The policy settings every route inherits from {@code defaults}. */
  record Defaults(
      HeadersConfig headers,
      ErrorsConfig errors,
      IpFilterConfig ipFilter,
      RateLimitConfig rateLimit,
      CorsConfig cors,
      RouteLimits limits,
      RouteAccess access) {
    static final Set<String> KEYS =
        Set.of("headers", "errors", "ip-filter", "rate-limit", "cors", "limits", "auth", "public");
  }

  static RouteConfig read(ConfigNode n, Defaults defaults, Path baseDir, int index) {
    n.expectMapping(KEYS);
    String name = n.get("name").requiredString("a route name such as orders-api");
    if (name != null && !name.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
      n.get("name").invalid("lower-case letters, digits, '.', '_' and '-', at most 63");
      name = null;
    }
    MatchConfig match = MatchConfig.read(n.get("match"));
    UpstreamConfig upstream = UpstreamConfig.read(n.get("upstream"), baseDir);
    HeadersConfig headers = HeadersConfig.read(n.get("headers"), defaults.headers());
    ErrorsConfig errors = ErrorsConfig.read(n.get("errors"), defaults.errors());
    IpFilterConfig ipFilter = IpFilterConfig.read(n.get("ip-filter"), defaults.ipFilter());
    RateLimitConfig rateLimit = RateLimitConfig.read(n.get("rate-limit"), defaults.rateLimit());
    CorsConfig cors = CorsConfig.read(n.get("cors"), defaults.cors());
    RouteLimits limits = RouteLimits.read(n.get("limits"), defaults.limits(), false);
    RouteAccess access = RouteAccess.read(n.get("auth"), n.get("public"), defaults.access());
    if (!access.configured()) {
      n.error(
          "neither auth nor public: true (expected: auth: { require: [...] }, or public: true;"
              + " routes are deny-by-default)");
    } else if (access.protectedRoute()) {
      boolean own = n.get("auth").present();
      access.checkParams(
          match.pattern().paramNames(), own ? n.get("auth") : n.get("match").get("path"), !own);
    }
    ContractConfig contract = ContractConfig.read(n.get("contract"), baseDir);
    if (upstream == null) {
      upstream = new UpstreamConfig(false, "invalid", 1, null, false, false, 1);
    }
    return new RouteConfig(
        name == null ? "route-" + index : name,
        match,
        upstream,
        headers,
        errors,
        ipFilter,
        rateLimit,
        cors,
        limits,
        access,
        contract);
  }
}
