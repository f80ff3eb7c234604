package dev.bulwark.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * One route: a name, what it matches, where it forwards ({@code upstream}) or which kind of
 * endpoint the gateway serves there itself ({@code serve}), its limits, and the value of every
 * policy section (its own setting, else the one inherited from {@code defaults}), looked up by
 * type.
 *
 * @param upstream where the route forwards, or null for a route the gateway serves
 * @param serve the kind of endpoint the gateway serves on the route, or null for a route to an
 *     upstream
 */
public record RouteConfig(
    String name,
    MatchConfig match,
    @Nullable UpstreamConfig upstream,
    @Nullable String serve,
    RouteLimits limits,
    SectionValues sections) {

  /** The keys of a route that are the core's own; the rest belong to policy sections. */
  static final Set<String> OWN_KEYS = Set.of("name", "match", "upstream", "serve", "limits");

  /** The keys of {@code defaults} that are the core's own. */
  static final Set<String> OWN_DEFAULT_KEYS = Set.of("limits");

  /** Returns the value of the route's section of this type. */
  public <T> T section(Class<T> type) {
    return sections.get(type);
  }

  /** Returns every key a route accepts: its own and those of the route sections, sorted. */
  static Set<String> keys(List<? extends ConfigSection<?>> routeSections) {
    Set<String> keys = new TreeSet<>(OWN_KEYS);
    for (ConfigSection<?> s : routeSections) {
      keys.addAll(s.keys());
    }
    return keys;
  }

  /**
   * Reads one route: its own keys, then each section over the value inherited from {@code defaults}
   * (a section written only in routes starts from its absent value).
   */
  static RouteConfig read(
      ConfigNode n,
      RouteLimits defaultLimits,
      SectionValues defaults,
      List<? extends ConfigSection<?>> routeSections,
      Set<String> servedKinds,
      Path baseDir,
      int index) {
    n.expectMapping(keys(routeSections));
    String name = n.get("name").requiredString("a route name such as orders-api");
    if (name != null && !name.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
      n.get("name").invalid("lower-case letters, digits, '.', '_' and '-', at most 63");
      name = null;
    }
    MatchConfig match = MatchConfig.read(n.get("match"));
    String serve = readServe(n, servedKinds);
    UpstreamConfig upstream = null;
    if (serve == null && !n.get("serve").present()) {
      if (!n.get("upstream").present()) {
        n.get("upstream")
            .error(
                "missing (expected: a URL such as http://127.0.0.1:3000, or serve: a kind of"
                    + " endpoint such as forward-auth)");
      } else {
        upstream = UpstreamConfig.read(n.get("upstream"), baseDir);
      }
      if (upstream == null) {
        upstream = new UpstreamConfig(false, "invalid", 1, null, false, false, 1);
      }
    }
    // A wrong serve is reported; the sections still read the route as a served one, so that it
    // is not also refused for lacking public or auth.
    String servedAs = serve == null && n.get("serve").present() ? "an endpoint" : serve;
    ReadContext context = new ReadContext(baseDir, false, match.pattern().paramNames(), servedAs);
    List<Object> values = new ArrayList<>(routeSections.size());
    for (ConfigSection<?> s : routeSections) {
      values.add(read(s, n, defaults.find(s.type()), context));
    }
    RouteLimits limits = RouteLimits.read(n.get("limits"), defaultLimits, false);
    return new RouteConfig(
        name == null ? "route-" + index : name,
        match,
        upstream,
        serve,
        limits,
        new SectionValues(routeSections, values));
  }

  /**
   * Reads {@code serve}: a kind of endpoint that {@code servedKinds} lists, never beside {@code
   * upstream}; returns null when absent or wrong (reported).
   */
  private static @Nullable String readServe(ConfigNode n, Set<String> servedKinds) {
    ConfigNode node = n.get("serve");
    if (!node.present()) {
      return null;
    }
    if (n.get("upstream").present()) {
      node.error("together with upstream (expected: one of them)");
      return null;
    }
    String kind = node.requiredString("a kind of endpoint such as forward-auth");
    if (kind == null) {
      return null;
    }
    if (!servedKinds.contains(kind)) {
      node.invalid(
          servedKinds.isEmpty()
              ? "no serve, as no kind of endpoint is known"
              : "a kind of endpoint, one of " + String.join(", ", new TreeSet<>(servedKinds)));
      return null;
    }
    return kind;
  }

  /** Reads a section over an inherited value of its type (absent when null). */
  static <C> C read(
      ConfigSection<C> s,
      ConfigNode n,
      @org.jspecify.annotations.Nullable Object inherited,
      ReadContext context) {
    C from = inherited == null ? s.absent() : s.type().cast(inherited);
    return s.read(n, from, context);
  }
}
