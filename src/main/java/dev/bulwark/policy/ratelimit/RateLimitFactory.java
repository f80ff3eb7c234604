package dev.bulwark.policy.ratelimit;

import dev.bulwark.config.ConfigNode;
import dev.bulwark.config.Problems;
import dev.bulwark.config.ReadContext;
import dev.bulwark.config.RouteConfig;
import dev.bulwark.policy.Compilation;
import dev.bulwark.policy.GatewayContext;
import dev.bulwark.policy.PolicyFactory;
import dev.bulwark.policy.Stage;
import java.util.ArrayList;
import java.util.List;

/**
 * The rate-limit feature: {@code rate-limit} in routes and {@code defaults}; each route's limits
 * compile into a {@link RateLimitPolicy} at {@link Stage#RATE_LIMIT} and, for limits keyed by
 * subject, one at {@link Stage#SUBJECT_LIMIT}. Routes without a limit are linted.
 */
public final class RateLimitFactory implements PolicyFactory<RateLimitConfig> {
  @Override
  public String name() {
    return "rate-limit";
  }

  @Override
  public List<Stage> stages() {
    return List.of(Stage.RATE_LIMIT, Stage.SUBJECT_LIMIT);
  }

  @Override
  public Place place() {
    return Place.ROUTE;
  }

  @Override
  public List<String> keys() {
    return List.of("rate-limit");
  }

  @Override
  public Class<RateLimitConfig> type() {
    return RateLimitConfig.class;
  }

  @Override
  public RateLimitConfig absent() {
    return RateLimitConfig.NONE;
  }

  @Override
  public RateLimitConfig read(ConfigNode holder, RateLimitConfig inherited, ReadContext context) {
    return RateLimitConfig.read(holder.get("rate-limit"), inherited);
  }

  /** Warns once about every route without a rate limit: a limit in defaults is the usual fix. */
  @Override
  public void lint(List<RouteConfig> routes, Problems problems) {
    List<String> unlimited = new ArrayList<>();
    for (RouteConfig r : routes) {
      if (r.section(RateLimitConfig.class).isEmpty()) {
        unlimited.add(r.name());
      }
    }
    if (unlimited.isEmpty()) {
      return;
    }
    String names =
        String.join(", ", unlimited.subList(0, Math.min(5, unlimited.size())))
            + (unlimited.size() > 5 ? ", ..." : "");
    problems.warning(
        "routes",
        unlimited.size()
            + (unlimited.size() == 1 ? " route" : " routes")
            + " without a rate limit ("
            + names
            + "): a flood reaches the backend (set defaults.rate-limit)");
  }

  @Override
  public Compilation compile(GatewayContext gateway) {
    return route ->
        RateLimitPolicy.compile(
            route.name(), route.section(RateLimitConfig.class), gateway.stores().rateLimits());
  }
}
