package dev.bulwark.policy.bans;

import dev.bulwark.config.ConfigNode;
import dev.bulwark.config.ReadContext;
import dev.bulwark.policy.Compilation;
import dev.bulwark.policy.GatewayContext;
import dev.bulwark.policy.GatewayPolicy;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyFactory;
import dev.bulwark.policy.RouteContext;
import dev.bulwark.policy.Stage;
import java.util.List;

/**
 * The automatic-bans feature: the top-level {@code bans} section (the defaults when absent), one
 * gateway-wide {@link BanPolicy} over the gateway's ban store that every exchange meets at the
 * edge, and that every connection meets when it opens.
 */
public final class BansFactory implements PolicyFactory<BansConfig> {
  @Override
  public String name() {
    return "bans";
  }

  @Override
  public List<Stage> stages() {
    return List.of(Stage.BANS);
  }

  @Override
  public Place place() {
    return Place.TOP;
  }

  @Override
  public List<String> keys() {
    return List.of("bans");
  }

  @Override
  public Class<BansConfig> type() {
    return BansConfig.class;
  }

  @Override
  public BansConfig absent() {
    return BansConfig.DEFAULTS;
  }

  @Override
  public BansConfig read(ConfigNode holder, BansConfig inherited, ReadContext context) {
    return BansConfig.read(holder.get("bans"));
  }

  @Override
  public Compilation compile(GatewayContext gateway) {
    BansConfig config = gateway.section(BansConfig.class);
    BanPolicy policy =
        new BanPolicy(
            config,
            new BanRules(
                config, gateway.trustedProxies(), gateway.stores().bans(), gateway.security()));
    return new Compilation() {
      @Override
      public List<Policy> route(RouteContext route) {
        return List.of(); // one policy for the whole gateway, met before routing
      }

      @Override
      public List<GatewayPolicy> gateway() {
        return List.of(policy);
      }
    };
  }
}
