package dev.bulwark.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a reload loosens, compared with the configuration in force: (1) each hardening-lint warning
 * at a place (its path, a route's index replaced by its name so that reordering routes is not a
 * change) where the old configuration had none — by place rather than by message, since a warning
 * about a set of routes names them all and its text changes when any does; (2) each policy section
 * a route kept by name had and no longer has (its value is the section's absent one now, and was
 * not before); (3) each route kept by name that was guarded (it needed a credential) and is not any
 * more. Tightening and removed routes are not loosening; a new route is only through a new warning.
 */
final class ReloadLoosening {
  private static final Pattern ROUTE_INDEX = Pattern.compile("^routes\\[(\\d+)]");

  private ReloadLoosening() {}

  static List<String> between(
      BulwarkConfig previous, BulwarkConfig next, List<? extends ConfigSection<?>> sections) {
    List<String> out = new ArrayList<>();
    Map<String, String> before = warnings(previous, sections);
    for (Map.Entry<String, String> w : warnings(next, sections).entrySet()) {
      if (!before.containsKey(w.getKey())) {
        out.add("new warning: " + w.getKey() + ": " + w.getValue());
      }
    }
    Map<String, RouteConfig> old = new HashMap<>();
    for (RouteConfig r : previous.routes()) {
      old.put(r.name(), r);
    }
    for (RouteConfig r : next.routes()) {
      RouteConfig was = old.get(r.name());
      if (was == null) {
        continue;
      }
      SectionValues a = was.sections();
      SectionValues b = r.sections();
      for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
        ConfigSection<?> s = a.section(i);
        if (!s.equals(b.section(i)) || s.keys().isEmpty()) {
          continue;
        }
        Object absent = s.absent();
        if (!a.value(i).equals(absent) && b.value(i).equals(absent)) {
          out.add("routes." + r.name() + ": " + s.keys().get(0) + " removed");
        }
      }
      String guard = a.guard();
      if (guard != null && b.guard() == null) {
        out.add("routes." + r.name() + ": no longer guarded (was: " + guard + ")");
      }
    }
    return out;
  }

  /** Returns the lint warnings of {@code config} by path (the first message at each). */
  private static Map<String, String> warnings(
      BulwarkConfig config, List<? extends ConfigSection<?>> sections) {
    Problems problems = new Problems();
    HardeningLint.check(config, sections, problems);
    RouteShadowLint.check(config.routes(), problems);
    Map<String, String> out = new LinkedHashMap<>();
    for (Problem p : problems.warnings()) {
      out.putIfAbsent(byRouteName(p.path(), config.routes()), p.message());
    }
    return out;
  }

  private static String byRouteName(String path, List<RouteConfig> routes) {
    Matcher m = ROUTE_INDEX.matcher(path);
    if (!m.find()) {
      return path;
    }
    int i = Integer.parseInt(m.group(1));
    return i < routes.size() ? "routes." + routes.get(i).name() + path.substring(m.end()) : path;
  }
}
