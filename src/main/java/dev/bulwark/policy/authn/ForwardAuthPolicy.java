package dev.bulwark.policy.authn;

import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.identity.Caller;
import dev.bulwark.identity.UpstreamIdentity;
import dev.bulwark.observe.SecurityLog;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import dev.bulwark.policy.authz.AccessRule;
import dev.bulwark.policy.authz.AuthzPolicy;
import dev.bulwark.policy.authz.RouteAccess;
import dev.bulwark.routing.PathNormalizer;
import dev.bulwark.routing.RequestHost;
import dev.bulwark.routing.RouteTable;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The forward-auth endpoint for nginx {@code auth_request} and Traefik {@code ForwardAuth}: reads
 * the original request from {@code X-Forwarded-Method}, {@code X-Forwarded-Uri} and {@code
 * X-Forwarded-Host} (accepted only from trusted proxies), finds the route that request would take,
 * and applies that route's authentication and authorization: 200 with the identity headers, 401
 * with a challenge, or 403.
 */
public final class ForwardAuthPolicy implements Policy {
  /** A route's access rule and its path template names, as forward-auth looks them up. */
  public record Protected(String name, RouteAccess access, List<String> paramNames) {
    public Protected {
      paramNames = List.copyOf(paramNames);
    }
  }

  private static final Denial UNTRUSTED =
      Denial.of(403, "forbidden", "forward-auth request from a peer outside trusted-proxies");
  private static final Denial BAD_REQUEST =
      Denial.of(403, "forbidden", "forward-auth request without a usable X-Forwarded-Method/-Uri");
  private static final Denial NO_ROUTE =
      Denial.of(403, "forbidden", "forward-auth: no route for the original request");
  private static final Denial FORBIDDEN =
      Denial.of(403, "forbidden", "forward-auth: the route's rule does not allow the caller");

  private final RouteTable<Protected> routes;
  private final Authenticator authenticator;
  private final UpstreamIdentity identity;
  private final SecurityLog security;

  public ForwardAuthPolicy(
      RouteTable<Protected> routes,
      Authenticator authenticator,
      UpstreamIdentity identity,
      SecurityLog security) {
    this.routes = routes;
    this.authenticator = authenticator;
    this.identity = identity;
    this.security = security;
  }

  @Override
  public Stage stage() {
    return Stage.AUTHN;
  }

  @Override
  public String name() {
    return "forward-auth";
  }

  @Override
  public void onRequest(Exchange exchange) {
    if (!exchange.trustedPeer()) {
      exchange.deny(UNTRUSTED);
      return;
    }
    HttpServerRequest req = exchange.request();
    String method = req.getHeader("x-forwarded-method");
    String uri = req.getHeader("x-forwarded-uri");
    String host = req.getHeader("x-forwarded-host");
    if (method == null || uri == null || !uri.startsWith("/")) {
      exchange.deny(BAD_REQUEST);
      return;
    }
    method = method.toUpperCase(Locale.ROOT);
    int q = uri.indexOf('?');
    String path = PathNormalizer.normalize(q < 0 ? uri : uri.substring(0, q));
    if (path == null) {
      exchange.deny(BAD_REQUEST);
      return;
    }
    RequestHost named = host == null ? null : RequestHost.parse(host.trim());
    if (host != null && named == null) {
      exchange.deny(BAD_REQUEST);
      return;
    }
    String h = named == null ? "" : named.host();
    RouteTable.Match<Protected> match = routes.match(h, path, method);
    Protected target = match.route();
    if (target == null || !target.access().configured()) {
      exchange.deny(NO_ROUTE);
      return;
    }
    if (target.access().open()) {
      exchange.answer(200);
      return;
    }
    List<String> auth = req.headers().getAll("authorization");
    String token = auth.size() == 1 ? BearerAuthPolicy.bearer(auth.get(0)) : null;
    if (token == null) {
      req.response()
          .headers()
          .set(
              "WWW-Authenticate",
              auth.isEmpty() ? BearerAuthPolicy.CHALLENGE : BearerAuthPolicy.INVALID_TOKEN);
      exchange.deny(auth.isEmpty() ? BearerAuthPolicy.MISSING : BearerAuthPolicy.INVALID);
      return;
    }
    Context context = Vertx.currentContext();
    if (context == null) {
      throw new IllegalStateException("forward-auth outside a Vert.x context");
    }
    String[] params = match.params();
    String query = q < 0 ? "" : uri.substring(q);
    String m = method;
    authenticator.authenticate(
        token,
        target.access().issuers(),
        context,
        outcome -> decide(exchange, target, m, params, query, outcome));
  }

  private void decide(
      Exchange exchange,
      Protected target,
      String method,
      String[] params,
      String query,
      TokenVerifier.Outcome outcome) {
    if (exchange.finishedOrResponded()) {
      return;
    }
    MultiMap out = exchange.request().response().headers();
    if (!(outcome instanceof TokenVerifier.Valid v)) {
      TokenVerifier.Invalid bad =
          outcome instanceof TokenVerifier.Invalid i
              ? i
              : new TokenVerifier.Invalid(false, "unknown kid");
      security.event(
          bad.expired() ? "token-expired" : "token-invalid",
          exchange.requestId(),
          exchange.clientAddress(),
          Map.of("route", target.name(), "reason", bad.reason(), "via", "forward-auth"));
      out.set("WWW-Authenticate", BearerAuthPolicy.INVALID_TOKEN);
      exchange.deny(bad.expired() ? BearerAuthPolicy.EXPIRED : BearerAuthPolicy.INVALID);
      return;
    }
    Caller caller = v.caller();
    exchange.authenticated(caller.subject(), caller);
    AccessRule rule = target.access().ruleFor(method);
    if (!rule.allows(caller, values(target.paramNames(), params, query))) {
      security.event(
          "access-denied",
          exchange.requestId(),
          exchange.clientAddress(),
          Map.of(
              "route", target.name(),
              "subject", caller.subject(),
              "method", method,
              "rule", rule.describe(),
              "via", "forward-auth"));
      out.set("WWW-Authenticate", AuthzPolicy.INSUFFICIENT_SCOPE);
      exchange.deny(FORBIDDEN);
      return;
    }
    UpstreamIdentity.set(out, caller, identity.assertion(caller, exchange.requestId()));
    exchange.answer(200);
  }

  private static AccessRule.Values values(List<String> names, String[] params, String query) {
    Map<String, List<String>> qs =
        query.isEmpty() ? Map.of() : new QueryStringDecoder(query, true).parameters();
    return new AccessRule.Values() {
      @Override
      public @Nullable String pathParam(String name) {
        int i = names.indexOf(name);
        return i >= 0 && i < params.length ? params[i] : null;
      }

      @Override
      public @Nullable String queryParam(String name) {
        List<String> all = qs.get(name);
        return all != null && all.size() == 1 ? all.get(0) : null;
      }
    };
  }
}
