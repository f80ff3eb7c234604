package dev.bulwark.policy.contract;

import dev.bulwark.config.ConfigNode;
import dev.bulwark.config.ReadContext;
import dev.bulwark.policy.Compilation;
import dev.bulwark.policy.GatewayContext;
import dev.bulwark.policy.PolicyFactory;
import dev.bulwark.policy.Stage;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The contract feature: {@code contract} in routes only (an OpenAPI file, compiled at load), a
 * {@link ContractPolicy} on each route that has one, bounded by the route's body limit.
 */
public final class ContractFactory implements PolicyFactory<ContractConfig> {
  @Override
  public String name() {
    return "contract";
  }

  @Override
  public List<Stage> stages() {
    return List.of(Stage.CONTRACT);
  }

  @Override
  public Place place() {
    return Place.ROUTE_ONLY;
  }

  @Override
  public List<String> keys() {
    return List.of("contract");
  }

  @Override
  public Class<ContractConfig> type() {
    return ContractConfig.class;
  }

  @Override
  public ContractConfig absent() {
    return ContractConfig.NONE;
  }

  @Override
  public ContractConfig read(ConfigNode holder, ContractConfig inherited, ReadContext context) {
    String serve = context.serve();
    if (serve != null && holder.get("contract").present()) {
      holder
          .get("contract")
          .error(
              "on a route that serves "
                  + serve
                  + " (expected: no contract; a served endpoint enforces its own)");
      return ContractConfig.NONE;
    }
    return ContractConfig.read(holder.get("contract"), context.baseDir());
  }

  @Override
  public @Nullable String guard(ContractConfig value) {
    return value.enabled() ? "validates a contract" : null;
  }

  @Override
  public Compilation compile(GatewayContext gateway) {
    return route -> {
      ContractConfig config = route.section(ContractConfig.class);
      return config.enabled()
          ? List.of(ContractPolicy.compile(config, route.limits().maxBody()))
          : List.of();
    };
  }
}
