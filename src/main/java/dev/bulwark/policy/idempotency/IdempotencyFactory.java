package dev.bulwark.policy.idempotency;

import dev.bulwark.config.ConfigNode;
import dev.bulwark.config.ReadContext;
import dev.bulwark.config.RouteLimits;
import dev.bulwark.policy.Compilation;
import dev.bulwark.policy.GatewayContext;
import dev.bulwark.policy.PolicyFactory;
import dev.bulwark.policy.Stage;
import java.time.Duration;
import java.util.List;

/**
 * The idempotency feature: {@code idempotency} in routes and {@code defaults}, one {@link
 * IdempotencyPolicy} at {@link Stage#IDEMPOTENCY} on each route that opts in, over the gateway's
 * idempotency store (embedded or Redis).
 */
public final class IdempotencyFactory implements PolicyFactory<IdempotencyConfig> {
  /** The shortest lease of an in-flight claim, whatever the route's timeout. */
  static final Duration MIN_LEASE = Duration.ofMinutes(1);

  @Override
  public String name() {
    return "idempotency";
  }

  @Override
  public List<Stage> stages() {
    return List.of(Stage.IDEMPOTENCY);
  }

  @Override
  public Place place() {
    return Place.ROUTE;
  }

  @Override
  public List<String> keys() {
    return List.of("idempotency");
  }

  @Override
  public Class<IdempotencyConfig> type() {
    return IdempotencyConfig.class;
  }

  @Override
  public IdempotencyConfig absent() {
    return IdempotencyConfig.NONE;
  }

  @Override
  public IdempotencyConfig read(
      ConfigNode holder, IdempotencyConfig inherited, ReadContext context) {
    return IdempotencyConfig.read(holder.get("idempotency"), inherited);
  }

  /**
   * Returns how long a claim holds while its request is in flight: long enough for the body to
   * arrive and the upstream to answer (twice the route's timeouts), and at least {@link
   * #MIN_LEASE}; a gateway that crashes mid-request holds the key no longer than that.
   */
  static Duration lease(RouteLimits limits) {
    Duration d = limits.bodyTimeout().plus(limits.timeout().multipliedBy(2));
    return d.compareTo(MIN_LEASE) < 0 ? MIN_LEASE : d;
  }

  @Override
  public Compilation compile(GatewayContext gateway) {
    return route -> {
      IdempotencyConfig c = route.section(IdempotencyConfig.class);
      if (!c.enabled()) {
        return List.of();
      }
      return List.of(
          new IdempotencyPolicy(
              route.name(),
              c,
              gateway.stores().idempotency(),
              gateway.security(),
              route.limits().maxBody(),
              lease(route.limits())));
    };
  }
}
