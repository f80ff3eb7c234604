package dev.bulwark.policy.ipfilter;

import dev.bulwark.config.ConfigNode;
import dev.bulwark.config.ReadContext;
import dev.bulwark.policy.Compilation;
import dev.bulwark.policy.GatewayContext;
import dev.bulwark.policy.PolicyFactory;
import dev.bulwark.policy.Stage;
import java.util.List;

/**
 * The ip-filter feature: {@code ip-filter} in routes and {@code defaults}, an {@link
 * IpFilterPolicy} on each route whose lists are not empty.
 */
public final class IpFilterFactory implements PolicyFactory<IpFilterConfig> {
  @Override
  public String name() {
    return "ip-filter";
  }

  @Override
  public List<Stage> stages() {
    return List.of(Stage.IP_FILTER);
  }

  @Override
  public Place place() {
    return Place.ROUTE;
  }

  @Override
  public List<String> keys() {
    return List.of("ip-filter");
  }

  @Override
  public Class<IpFilterConfig> type() {
    return IpFilterConfig.class;
  }

  @Override
  public IpFilterConfig absent() {
    return IpFilterConfig.NONE;
  }

  @Override
  public IpFilterConfig read(ConfigNode holder, IpFilterConfig inherited, ReadContext context) {
    return IpFilterConfig.read(holder.get("ip-filter"), inherited);
  }

  @Override
  public Compilation compile(GatewayContext gateway) {
    return route -> {
      IpFilterConfig config = route.section(IpFilterConfig.class);
      return config.isEmpty() ? List.of() : List.of(IpFilterPolicy.compile(config));
    };
  }
}
