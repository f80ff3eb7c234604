package dev.bulwark.policy.cors;

import dev.bulwark.config.ConfigNode;
import dev.bulwark.config.ReadContext;
import dev.bulwark.policy.Compilation;
import dev.bulwark.policy.GatewayContext;
import dev.bulwark.policy.PolicyFactory;
import dev.bulwark.policy.Stage;
import java.util.List;

/**
 * The CORS feature: {@code cors} in routes and {@code defaults}, a {@link CorsPolicy} on each route
 * that has one, which also answers the route's preflights.
 */
public final class CorsFactory implements PolicyFactory<CorsConfig> {
  @Override
  public String name() {
    return "cors";
  }

  @Override
  public List<Stage> stages() {
    return List.of(Stage.CORS);
  }

  @Override
  public Place place() {
    return Place.ROUTE;
  }

  @Override
  public List<String> keys() {
    return List.of("cors");
  }

  @Override
  public Class<CorsConfig> type() {
    return CorsConfig.class;
  }

  @Override
  public CorsConfig absent() {
    return CorsConfig.NONE;
  }

  @Override
  public CorsConfig read(ConfigNode holder, CorsConfig inherited, ReadContext context) {
    return CorsConfig.read(holder.get("cors"), inherited);
  }

  @Override
  public Compilation compile(GatewayContext gateway) {
    return route -> {
      CorsConfig config = route.section(CorsConfig.class);
      return config.enabled() ? List.of(CorsPolicy.compile(config)) : List.of();
    };
  }
}
