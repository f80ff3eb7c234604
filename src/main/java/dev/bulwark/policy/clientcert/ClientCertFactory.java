package dev.bulwark.policy.clientcert;

import dev.bulwark.access.AccessRule;
import dev.bulwark.access.RouteAccess;
import dev.bulwark.config.ConfigNode;
import dev.bulwark.config.Problems;
import dev.bulwark.config.ReadContext;
import dev.bulwark.config.RouteConfig;
import dev.bulwark.policy.Compilation;
import dev.bulwark.policy.GatewayContext;
import dev.bulwark.policy.PolicyFactory;
import dev.bulwark.policy.Stage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The client-certificate feature: {@code client-cert} in routes and {@code defaults}, a {@link
 * ClientCertPolicy} on each route that asks for a certificate.
 */
public final class ClientCertFactory implements PolicyFactory<ClientCertConfig> {
  /** How long a chain's outcome is remembered (a changed CRL file reloads sooner). */
  static final Duration REMEMBER = Duration.ofMinutes(5);

  @Override
  public String name() {
    return "client-cert";
  }

  @Override
  public List<Stage> stages() {
    return List.of(Stage.CLIENT_CERT);
  }

  @Override
  public Place place() {
    return Place.ROUTE;
  }

  @Override
  public List<String> keys() {
    return List.of("client-cert");
  }

  @Override
  public Class<ClientCertConfig> type() {
    return ClientCertConfig.class;
  }

  @Override
  public ClientCertConfig absent() {
    return ClientCertConfig.NONE;
  }

  @Override
  public ClientCertConfig read(ConfigNode holder, ClientCertConfig inherited, ReadContext context) {
    return ClientCertConfig.read(holder.get("client-cert"), inherited, context.baseDir());
  }

  @Override
  public void checkRoutes(
      ConfigNode top, List<RouteConfig> routes, List<ConfigNode> nodes, List<Boolean> clean) {
    for (int i = 0; i < routes.size(); i++) {
      RouteConfig r = routes.get(i);
      RouteAccess access = r.sections().find(RouteAccess.class);
      if (!clean.get(i) || access == null || !access.protectedRoute()) {
        continue;
      }
      String named = certificateRule(access);
      if (named != null && !r.section(ClientCertConfig.class).requestsClientCertificate()) {
        nodes
            .get(i)
            .get("auth")
            .error(
                named
                    + ": the route asks for no client certificate, so the rule never holds"
                    + " (expected: client-cert on the route or in defaults)");
      }
    }
  }

  @Override
  public void lint(List<RouteConfig> routes, Problems problems) {
    for (int i = 0; i < routes.size(); i++) {
      RouteConfig r = routes.get(i);
      ClientCertConfig c = r.section(ClientCertConfig.class);
      if (c.mode() != ClientCertConfig.Mode.OPTIONAL) {
        continue;
      }
      RouteAccess access = r.sections().find(RouteAccess.class);
      String path = "routes[" + i + "].client-cert.mode";
      if (access == null || !access.protectedRoute()) {
        problems.warning(
            path,
            "optional on a route without auth: a client without a certificate gets in like one"
                + " with a valid certificate (use required)");
      } else if (certificateRule(access) != null) {
        problems.warning(
            path,
            "optional while the route's rules name the certificate ("
                + certificateRule(access)
                + "): a client without one is refused only by the rule, with 403 (use required"
                + " for a clear 496)");
      }
    }
  }

  @Override
  public @Nullable String guard(ClientCertConfig value) {
    return value.mode() == ClientCertConfig.Mode.REQUIRED ? "requires a client certificate" : null;
  }

  /** Returns the first rule of the route that names a certificate, or null. */
  private static @Nullable String certificateRule(RouteAccess access) {
    List<AccessRule> all = new ArrayList<>(access.methods().values());
    all.add(access.require());
    List<String> found = new ArrayList<>();
    for (AccessRule rule : all) {
      AccessRule.atoms(
          rule,
          a -> {
            if (a instanceof AccessRule.CertificateName) {
              found.add(a.describe());
            }
          });
    }
    return found.isEmpty() ? null : found.get(0);
  }

  @Override
  public Compilation compile(GatewayContext gateway) {
    return route -> {
      ClientCertConfig config = route.section(ClientCertConfig.class);
      return config.requestsClientCertificate()
          ? List.of(new ClientCertPolicy(route.name(), config, gateway.security(), REMEMBER))
          : List.of();
    };
  }
}
