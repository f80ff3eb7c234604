package dev.bulwark.policy.headers;

import dev.bulwark.config.ConfigNode;
import dev.bulwark.config.ReadContext;
import dev.bulwark.policy.Compilation;
import dev.bulwark.policy.GatewayContext;
import dev.bulwark.policy.PolicyFactory;
import dev.bulwark.policy.Stage;
import java.util.List;

/**
 * The security headers feature: {@code headers} in routes and {@code defaults} (strict when nothing
 * is said), one {@link SecurityHeadersPolicy} on every route and on every answer the gateway makes
 * itself.
 */
public final class HeadersFactory implements PolicyFactory<HeadersConfig> {
  @Override
  public String name() {
    return "headers";
  }

  @Override
  public List<Stage> stages() {
    return List.of(Stage.HEADERS);
  }

  @Override
  public Place place() {
    return Place.ROUTE;
  }

  @Override
  public List<String> keys() {
    return List.of("headers");
  }

  @Override
  public Class<HeadersConfig> type() {
    return HeadersConfig.class;
  }

  @Override
  public HeadersConfig absent() {
    return HeadersConfig.STRICT;
  }

  @Override
  public HeadersConfig read(ConfigNode holder, HeadersConfig inherited, ReadContext context) {
    return HeadersConfig.read(holder.get("headers"), inherited);
  }

  @Override
  public Compilation compile(GatewayContext gateway) {
    return route -> List.of(SecurityHeadersPolicy.compile(route.section(HeadersConfig.class)));
  }
}
