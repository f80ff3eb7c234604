package dev.bulwark.config;

import dev.bulwark.routing.HostMatcher;
import dev.bulwark.routing.RoutePattern;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/** What a route matches: an optional host, a path pattern and an optional set of methods. */
public record MatchConfig(@Nullable String host, String path, Set<String> methods) {
  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  public MatchConfig {
    methods = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(methods));
  }

  /** Returns the compiled host matcher. */
  public HostMatcher hostMatcher() {
    String h = host;
    return h == null ? HostMatcher.any() : HostMatcher.parse(h);
  }

  /** Returns the compiled path pattern. */
  public RoutePattern pattern() {
    return RoutePattern.parse(path);
  }

  static MatchConfig read(ConfigNode n) {
    if (!n.present()) {
      n.error("missing (expected: a mapping with path, and optionally host and methods)");
      return new MatchConfig(null, "/**", Set.of());
    }
    n.expectMapping(Set.of("host", "path", "methods"));
    String host = n.get("host").string("a host name");
    if (host != null && HostMatcher.problem(host) != null) {
      n.get("host").invalid("a host name such as api.example.com or *.example.com");
      host = null;
    }
    String path = n.get("path").requiredString("a path pattern such as /api/** or /orgs/{org}");
    if (path != null) {
      String problem = RoutePattern.problem(path);
      if (problem != null) {
        n.get("path").error("\"" + path + "\" (" + problem + ")");
        path = null;
      }
    }
    Set<String> methods = new TreeSet<>();
    for (ConfigNode m : n.get("methods").elements()) {
      String s = m.requiredString("an HTTP method");
      if (s == null) {
        continue;
      }
      String upper = s.toUpperCase(Locale.ROOT);
      if (!METHODS.contains(upper)) {
        m.invalid("one of " + String.join(", ", new TreeSet<>(METHODS)));
      } else {
        methods.add(upper);
      }
    }
    return new MatchConfig(host, path == null ? "/**" : path, methods);
  }
}
