package dev.bulwark.endpoint;

import dev.bulwark.access.AccessRule;
import dev.bulwark.access.RouteAccess;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.HeaderMap;
import dev.bulwark.exchange.RequestView;
import dev.bulwark.identity.Caller;
import dev.bulwark.identity.UpstreamIdentity;
import dev.bulwark.policy.Compilation;
import dev.bulwark.policy.GatewayContext;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.RouteContext;
import dev.bulwark.policy.Stage;
import dev.bulwark.policy.authn.ForwardAuthTargets;
import dev.bulwark.policy.authn.ProtectedRoute;
import dev.bulwark.policy.authn.Verdict;
import dev.bulwark.routing.PathNormalizer;
import dev.bulwark.routing.RequestHost;
import dev.bulwark.routing.RouteTable;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The forward-auth endpoint for nginx {@code auth_request} and Traefik {@code ForwardAuth}: reads
 * the original request from {@code X-Forwarded-Method}, {@code X-Forwarded-Uri} and {@code
 * X-Forwarded-Host} (accepted only from trusted proxies), finds the route that request would take,
 * and applies that route's authentication and authorization (its credential providers and access
 * rule, as the authentication feature compiled them): 200 with the identity headers, 401 with a
 * challenge (the RFC 9470 step-up one when only a second factor is missing, as on the route
 * itself), or 403. Served on a route with {@code serve: forward-auth}; only peers in {@code
 * trusted-proxies} may call it, so such a route takes neither {@code public} nor {@code auth}.
 */
public final class ForwardAuthEndpoint implements Policy {
  /** The kind of the endpoint, the name it is logged and counted under. */
  public static final String KIND = "forward-auth";

  /** Makes the forward-auth endpoint of a route with {@code serve: forward-auth}. */
  static final class Factory implements EndpointFactory {
    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public List<Policy> serve(
        GatewayContext gateway, List<Compilation> features, RouteContext route) {
      for (Compilation c : features) {
        if (c instanceof ForwardAuthTargets targets) {
          return List.of(
              new ForwardAuthEndpoint(
                  targets.forwardAuthRoutes(), gateway.identity(), gateway.security()));
        }
      }
      throw new IllegalStateException("forward-auth: no feature offers the routes to judge");
    }
  }

  private static final CharSequence WWW_AUTHENTICATE = HeaderMap.constant("WWW-Authenticate");

  private static final Denial UNTRUSTED =
      Denial.of(403, "forbidden", "forward-auth request from a peer outside trusted-proxies");
  private static final Denial BAD_REQUEST =
      Denial.of(403, "forbidden", "forward-auth request without a usable X-Forwarded-Method/-Uri");
  private static final Denial NO_ROUTE =
      Denial.of(403, "forbidden", "forward-auth: no route for the original request");
  private static final Denial FORBIDDEN =
      Denial.of(403, "forbidden", "forward-auth: the route's rule does not allow the caller");
  private static final Denial STEP_UP =
      Denial.of(
          401,
          "second factor required",
          "forward-auth: the route's rule needs a second factor the caller's token lacks");

  private final RouteTable<ProtectedRoute> routes;
  private final UpstreamIdentity identity;
  private final SecurityEvents security;

  public ForwardAuthEndpoint(
      RouteTable<ProtectedRoute> routes, UpstreamIdentity identity, SecurityEvents security) {
    this.routes = routes;
    this.identity = identity;
    this.security = security;
  }

  @Override
  public Stage stage() {
    return Stage.AUTHN;
  }

  @Override
  public String name() {
    return KIND;
  }

  @Override
  public String describe() {
    return "judges the original request by its route's rules";
  }

  @Override
  public void onRequest(Exchange exchange) {
    if (!exchange.trustedPeer()) {
      exchange.deny(UNTRUSTED);
      return;
    }
    RequestView req = exchange.request();
    String method = req.header("x-forwarded-method");
    String uri = req.header("x-forwarded-uri");
    String host = req.header("x-forwarded-host");
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
    RouteTable.Match<ProtectedRoute> match = routes.match(h, path, method);
    ProtectedRoute target = match.route();
    if (target == null || !target.access().configured()) {
      exchange.deny(NO_ROUTE);
      return;
    }
    if (target.access().open()) {
      exchange.answer(200);
      return;
    }
    String[] params = match.params();
    String query = q < 0 ? "" : uri.substring(q);
    String m = method;
    target
        .credentials()
        .authenticate(
            exchange, name(), (ex, verdict) -> decide(ex, target, m, params, query, verdict));
  }

  private void decide(
      Exchange exchange,
      ProtectedRoute target,
      String method,
      String[] params,
      String query,
      Verdict verdict) {
    HeaderMap out = exchange.responseHeaders();
    if (verdict instanceof Verdict.Invalid bad) {
      security.publish(
          SecurityEvent.credentialRefused(
                  bad.kind(),
                  exchange.requestId(),
                  exchange.clientAddress(),
                  target.name(),
                  bad.reason())
              .withVia(KIND));
      out.set(WWW_AUTHENTICATE, bad.challenge());
      exchange.deny(bad.denial());
      return;
    }
    if (!(verdict instanceof Verdict.Authenticated a)) {
      target.credentials().challenge(out);
      exchange.deny(target.credentials().missing());
      return;
    }
    Caller caller = a.caller();
    exchange.attr(Caller.KEY, caller);
    exchange.authenticated(caller.subject());
    AccessRule rule = target.access().ruleFor(method);
    AccessRule.Values values = values(target.paramNames(), params, query);
    if (!rule.allows(caller, values)) {
      security.publish(
          SecurityEvent.accessDenied(
                  exchange.requestId(),
                  exchange.clientAddress(),
                  target.name(),
                  caller.subject(),
                  method,
                  rule.describe())
              .withVia(KIND));
      // the route's own answer (AuthzPolicy): a step-up the client can act on, else 403
      if (RouteAccess.secondFactorWouldAllow(rule, caller, values)) {
        out.set(WWW_AUTHENTICATE, RouteAccess.STEP_UP);
        exchange.deny(STEP_UP);
        return;
      }
      out.set(WWW_AUTHENTICATE, RouteAccess.INSUFFICIENT_SCOPE);
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
