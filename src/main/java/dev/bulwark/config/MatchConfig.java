package dev.bulwark.config;

import dev.bulwark.routing.HostMatcher;
import dev.bulwark.routing.RoutePattern;
import dev.bulwark.routing.RouteTable;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * What a route matches: an optional host, a path pattern and an optional set of methods, and how
 * strictly ({@code case-sensitive}, {@code path-parameters}, {@code other-methods}).
 */
public record MatchConfig(
    @Nullable String host, String path, Set<String> methods, RouteTable.Rules rules) {
  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  public MatchConfig {
    methods = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(methods));
  }

  public MatchConfig(@Nullable String host, String path, Set<String> methods) {
    this(host, path, methods, RouteTable.Rules.STRICT);
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
    n.expectMapping(
        Set.of("host", "path", "methods", "case-sensitive", "path-parameters", "other-methods"));
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
    boolean caseSensitive = n.get("case-sensitive").bool(true);
    String params = n.get("path-parameters").choice(List.of("refuse", "forward"), "refuse");
    String others = n.get("other-methods").choice(List.of("refuse", "fall-through"), "refuse");
    if ("fall-through".equals(others)) {
      if (methods.isEmpty()) {
        n.get("other-methods").error("fall-through (expected: only with a methods list)");
      } else {
        n.get("other-methods")
            .warning(
                "fall-through: other methods go to a broader route, which may check less"
                    + " (auth, contract) than this one");
      }
    }
    if ("forward".equals(params)) {
      n.get("path-parameters")
          .warning(
              "forward: paths with ;parameters reach the upstream, which may read them as"
                  + " another path");
    }
    return new MatchConfig(
        host,
        path == null ? "/**" : path,
        methods,
        new RouteTable.Rules(
            caseSensitive, "forward".equals(params), "fall-through".equals(others)));
  }
}
