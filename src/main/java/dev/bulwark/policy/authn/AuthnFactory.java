package dev.bulwark.policy.authn;

import dev.bulwark.access.RouteAccess;
import dev.bulwark.config.ClientCertificateDemand;
import dev.bulwark.config.ConfigNode;
import dev.bulwark.config.MatchConfig;
import dev.bulwark.config.ReadContext;
import dev.bulwark.identity.tokens.LocalIssuer;
import dev.bulwark.identity.tokens.TokensConfig;
import dev.bulwark.policy.Compilation;
import dev.bulwark.policy.GatewayContext;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyFactory;
import dev.bulwark.policy.RouteContext;
import dev.bulwark.policy.Stage;
import dev.bulwark.routing.RouteTable;
import java.util.ArrayList;
import java.util.List;

/**
 * The authentication feature: the top-level {@code auth} section (issuers, token cache, identity
 * sent upstream). Each route that its {@link RouteAccess} protects gets an {@link AuthnPolicy} over
 * the route's credential providers. Its compilation also offers every route with its rule and
 * providers ({@link ForwardAuthTargets}), by which the forward-auth endpoint (a route with {@code
 * serve: forward-auth}, served from {@code dev.bulwark.endpoint}) judges requests.
 */
public final class AuthnFactory implements PolicyFactory<AuthConfig> {
  @Override
  public String name() {
    return "authn";
  }

  @Override
  public List<Stage> stages() {
    return List.of(Stage.AUTHN);
  }

  @Override
  public Place place() {
    return Place.TOP;
  }

  @Override
  public List<String> keys() {
    return List.of("auth");
  }

  @Override
  public Class<AuthConfig> type() {
    return AuthConfig.class;
  }

  @Override
  public AuthConfig absent() {
    return AuthConfig.NONE;
  }

  @Override
  public AuthConfig read(ConfigNode holder, AuthConfig inherited, ReadContext context) {
    AuthConfig auth = AuthConfig.read(holder.get("auth"), context.baseDir());
    boolean tokens = holder.get("identity").get("tokens").present();
    for (IssuerConfig i : auth.issuers().values()) {
      if (i.keys() instanceof IssuerConfig.Local && !tokens) {
        holder
            .get("auth")
            .get("issuers")
            .get(i.name())
            .get("self")
            .error(
                "true, but the gateway issues no tokens (expected: an identity.tokens section with"
                    + " issuer and audience)");
      }
    }
    return auth;
  }

  @Override
  public Compilation compile(GatewayContext gateway) {
    return new Routes(gateway, gateway.section(AuthConfig.class));
  }

  /** One configuration's issuers, and every route as forward-auth looks it up. */
  private static final class Routes implements Compilation, ForwardAuthTargets {
    private final GatewayContext gateway;
    private final Authenticator authenticator;
    private final List<RouteTable.Entry<ProtectedRoute>> judged = new ArrayList<>();

    Routes(GatewayContext gateway, AuthConfig auth) {
      this.gateway = gateway;
      TokensConfig tokens = gateway.config().tokens();
      this.authenticator =
          Authenticator.compile(
              auth,
              gateway.clock(),
              tokens.enabled() ? new LocalIssuer(tokens, gateway.stores(), gateway.clock()) : null);
    }

    @Override
    public List<Policy> route(RouteContext route) {
      MatchConfig match = route.match();
      if (match == null) {
        return List.of(); // the gateway's own answers need no credential
      }
      RouteAccess access = route.section(RouteAccess.class);
      SignatureConfig signature = route.section(SignatureConfig.class);
      Credentials credentials =
          signature.enabled()
              ? new Credentials(
                  List.of(
                      new RequestSignatureProvider(
                          signature,
                          gateway.stores().nonces(),
                          gateway.clock(),
                          route.limits().maxBody())))
              : asksForCertificate(route)
                  ? new Credentials(
                      List.of(
                          new BearerTokenProvider(authenticator, access.issuers()),
                          new ClientCertificateProvider()))
                  : Credentials.bearer(authenticator, access.issuers());
      judged.add(
          new RouteTable.Entry<>(
              match.hostMatcher(),
              match.pattern(),
              match.methods(),
              match.rules(),
              new ProtectedRoute(route.name(), access, route.pathParams(), credentials)));
      return access.protectedRoute()
          ? List.of(new AuthnPolicy(route.name(), credentials, gateway.security()))
          : List.of();
    }

    /** Returns whether the route asks for a client certificate (then a credential here too). */
    private static boolean asksForCertificate(RouteContext route) {
      for (ClientCertificateDemand d : route.sections().all(ClientCertificateDemand.class)) {
        if (d.requestsClientCertificate()) {
          return true;
        }
      }
      return false;
    }

    @Override
    public RouteTable<ProtectedRoute> forwardAuthRoutes() {
      return new RouteTable<>(judged);
    }
  }
}
