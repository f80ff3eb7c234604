package dev.bulwark.policy.authz;

import dev.bulwark.access.AccessRule;
import dev.bulwark.access.RouteAccess;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.exchange.DecisionTrace;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.RequestView;
import dev.bulwark.identity.Caller;
import dev.bulwark.identity.CertificateIdentity;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Lets a request through only when the route's rule for its method allows the authenticated caller;
 * everything else is 403 {@code insufficient_scope}. Runs after authentication, so a caller is
 * always known here; a missing one is refused (deny by default).
 */
public final class AuthzPolicy implements Policy {
  private static final Denial FORBIDDEN =
      Denial.of(403, "forbidden", "the route's rule does not allow the caller");
  private static final Denial STEP_UP =
      Denial.of(
          401,
          "second factor required",
          "the route's rule needs a second factor the caller's token lacks");
  private static final Denial NO_CALLER =
      Denial.of(403, "forbidden", "no authenticated caller at authorization");

  private final String route;
  private final RouteAccess access;
  private final List<String> paramNames;
  private final SecurityEvents security;

  public AuthzPolicy(
      String route, RouteAccess access, List<String> paramNames, SecurityEvents security) {
    this.route = route;
    this.access = access;
    this.paramNames = List.copyOf(paramNames);
    this.security = security;
  }

  @Override
  public Stage stage() {
    return Stage.AUTHZ;
  }

  @Override
  public String name() {
    return "authz";
  }

  @Override
  public String describe() {
    return access.describe();
  }

  @Override
  public void onRequest(Exchange exchange) {
    Caller caller = exchange.attr(Caller.KEY);
    if (caller == null) {
      exchange.deny(NO_CALLER);
      return;
    }
    String method = exchange.request().method();
    AccessRule rule = access.ruleFor(method);
    AccessRule.Values values =
        values(
            paramNames,
            exchange.params(),
            exchange.request(),
            exchange.attr(CertificateIdentity.KEY));
    boolean allowed = rule.allows(caller, values);
    DecisionTrace trace = exchange.trace();
    if (trace != null) {
      trace.note(
          name(),
          (allowed ? "allowed " : "refused ")
              + caller.subject()
              + (access.methods().containsKey(method) ? " by the rule for " + method : "")
              + ": "
              + rule.explain(caller, values));
    }
    if (allowed) {
      exchange.proceed();
      return;
    }
    security.publish(
        SecurityEvent.accessDenied(
            exchange.requestId(),
            exchange.clientAddress(),
            route,
            caller.subject(),
            method,
            rule.describe()));
    if (RouteAccess.secondFactorWouldAllow(rule, caller, values)) {
      exchange.responseHeaders().set("WWW-Authenticate", RouteAccess.STEP_UP);
      exchange.deny(STEP_UP);
      return;
    }
    exchange.responseHeaders().set("WWW-Authenticate", RouteAccess.INSUFFICIENT_SCOPE);
    exchange.deny(FORBIDDEN);
  }

  /** Returns the request values a rule reads: template values by name, single query values. */
  AccessRule.Values values(String[] params, RequestView request) {
    return values(paramNames, params, request);
  }

  /** Returns the request values for template names, template values and the request's query. */
  public static AccessRule.Values values(List<String> names, String[] params, RequestView request) {
    return values(names, params, request, null);
  }

  /** Returns the request values, with the client certificate the route verified (or null). */
  public static AccessRule.Values values(
      List<String> names,
      String[] params,
      RequestView request,
      @Nullable CertificateIdentity certificate) {
    return new AccessRule.Values() {
      @Override
      public @Nullable String pathParam(String name) {
        int i = names.indexOf(name);
        return i >= 0 && i < params.length ? params[i] : null;
      }

      @Override
      public @Nullable String queryParam(String name) {
        return request.queryParam(name);
      }

      @Override
      public @Nullable CertificateIdentity certificate() {
        return certificate;
      }
    };
  }
}
