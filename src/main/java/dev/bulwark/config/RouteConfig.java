package dev.bulwark.config;

import dev.bulwark.policy.contract.ContractConfig;
import dev.bulwark.policy.errors.ErrorsConfig;
import dev.bulwark.policy.headers.HeadersConfig;
import dev.bulwark.policy.ipfilter.IpFilterConfig;
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
    RouteLimits limits,
    ContractConfig contract) {

  static final Set<String> KEYS =
      Set.of("name", "match", "upstream", "headers", "errors", "ip-filter", "limits", "contract");

  /** The policy settings every route inherits from {@code defaults}. */
  record Defaults(
      HeadersConfig headers, ErrorsConfig errors, IpFilterConfig ipFilter, RouteLimits limits) {
    static final Set<String> KEYS = Set.of("headers", "errors", "ip-filter", "limits");
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
    RouteLimits limits = RouteLimits.read(n.get("limits"), defaults.limits(), false);
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
        limits,
        contract);
  }
}
