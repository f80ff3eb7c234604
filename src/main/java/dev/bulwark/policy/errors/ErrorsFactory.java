package dev.bulwark.policy.errors;

import dev.bulwark.config.ConfigNode;
import dev.bulwark.config.ReadContext;
import dev.bulwark.policy.Compilation;
import dev.bulwark.policy.GatewayContext;
import dev.bulwark.policy.PolicyFactory;
import dev.bulwark.policy.Stage;
import java.util.List;

/**
 * The error-masking feature: {@code errors} in routes and {@code defaults}, one {@link
 * ErrorMaskingPolicy} on every route and on every answer the gateway makes itself.
 */
public final class ErrorsFactory implements PolicyFactory<ErrorsConfig> {
  @Override
  public String name() {
    return "errors";
  }

  @Override
  public List<Stage> stages() {
    return List.of(Stage.ERRORS);
  }

  @Override
  public Place place() {
    return Place.ROUTE;
  }

  @Override
  public List<String> keys() {
    return List.of("errors");
  }

  @Override
  public Class<ErrorsConfig> type() {
    return ErrorsConfig.class;
  }

  @Override
  public ErrorsConfig absent() {
    return ErrorsConfig.DEFAULTS;
  }

  @Override
  public ErrorsConfig read(ConfigNode holder, ErrorsConfig inherited, ReadContext context) {
    return ErrorsConfig.read(holder.get("errors"), inherited);
  }

  @Override
  public Compilation compile(GatewayContext gateway) {
    return route -> List.of(new ErrorMaskingPolicy(route.section(ErrorsConfig.class)));
  }
}
