package dev.bulwark.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One route: a name, what it matches, where it forwards, its limits, and the value of every policy
 * section (its own setting, else the one inherited from {@code defaults}), looked up by type.
 */
public record RouteConfig(
    String name,
    MatchConfig match,
    UpstreamConfig upstream,
    RouteLimits limits,
    SectionValues sections) {

  /** The keys of a route that are the core's own; the rest belong to policy sections. */
  static final Set<String> OWN_KEYS = Set.of("name", "match", "upstream", "limits");

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
      Path baseDir,
      int index) {
    n.expectMapping(keys(routeSections));
    String name = n.get("name").requiredString("a route name such as orders-api");
    if (name != null && !name.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
      n.get("name").invalid("lower-case letters, digits, '.', '_' and '-', at most 63");
      name = null;
    }
    MatchConfig match = MatchConfig.read(n.get("match"));
    UpstreamConfig upstream = UpstreamConfig.read(n.get("upstream"), baseDir);
    ReadContext context = new ReadContext(baseDir, false, match.pattern().paramNames());
    List<Object> values = new ArrayList<>(routeSections.size());
    for (ConfigSection<?> s : routeSections) {
      values.add(read(s, n, defaults.find(s.type()), context));
    }
    RouteLimits limits = RouteLimits.read(n.get("limits"), defaultLimits, false);
    if (upstream == null) {
      upstream = new UpstreamConfig(false, "invalid", 1, null, false, false, 1);
    }
    return new RouteConfig(
        name == null ? "route-" + index : name,
        match,
        upstream,
        limits,
        new SectionValues(routeSections, values));
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
