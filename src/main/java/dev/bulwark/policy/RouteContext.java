package dev.bulwark.policy;

import dev.bulwark.config.MatchConfig;
import dev.bulwark.config.RouteConfig;
import dev.bulwark.config.RouteLimits;
import dev.bulwark.config.SectionValues;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One route as a feature compiles it: its name, what it matches (none for the answers the gateway
 * serves itself: no route, its own endpoints), its limits, and the value of every section on it.
 */
public record RouteContext(
    String name, @Nullable MatchConfig match, RouteLimits limits, SectionValues sections) {

  /** The context of a configured route. */
  public static RouteContext of(RouteConfig route) {
    return new RouteContext(route.name(), route.match(), route.limits(), route.sections());
  }

  /** Returns the value of the route's section of this type. */
  public <T> T section(Class<T> type) {
    return sections.get(type);
  }

  /** Returns the route's path template names, in the order of its pattern. */
  public List<String> pathParams() {
    MatchConfig m = match;
    return m == null ? List.of() : m.pattern().paramNames();
  }
}
