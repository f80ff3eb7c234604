package dev.bulwark.server;

import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.RouteConfig;
import dev.bulwark.config.RouteLimits;
import dev.bulwark.exchange.ClientAddressResolver;
import dev.bulwark.identity.AssertionKeys;
import dev.bulwark.identity.UpstreamIdentity;
import dev.bulwark.observe.AccessLog;
import dev.bulwark.observe.GatewayMetrics;
import dev.bulwark.observe.LogSink;
import dev.bulwark.observe.SecurityLog;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyChain;
import dev.bulwark.policy.authn.AuthConfig;
import dev.bulwark.policy.authn.Authenticator;
import dev.bulwark.policy.authn.AuthnPolicy;
import dev.bulwark.policy.authn.Credentials;
import dev.bulwark.policy.authn.ForwardAuthPolicy;
import dev.bulwark.policy.authz.AuthzPolicy;
import dev.bulwark.policy.bans.BanRules;
import dev.bulwark.policy.contract.ContractPolicy;
import dev.bulwark.policy.cors.CorsPolicy;
import dev.bulwark.policy.errors.ErrorMaskingPolicy;
import dev.bulwark.policy.headers.SecurityHeadersPolicy;
import dev.bulwark.policy.ipfilter.IpFilterPolicy;
import dev.bulwark.policy.ratelimit.RateLimitPolicy;
import dev.bulwark.proxy.UntrustedForwardingWarning;
import dev.bulwark.proxy.UpstreamTarget;
import dev.bulwark.routing.RouteTable;
import dev.bulwark.store.Stores;
import java.util.ArrayList;
import java.util.List;

/**
 * A configuration compiled into what requests only read: the route table, each route's policy
 * chain, the client-address resolver and the access log. Swapped atomically on reload.
 */
record CompiledGateway(
    BulwarkConfig config,
    RouteTable<CompiledRoute> routes,
    CompiledRoute fallback,
    ClientAddressResolver clients,
    AccessLog accessLog,
    BanRules bans) {

  /** The name under which requests that match no route are counted and logged. */
  static final String NO_ROUTE = "none";

  static CompiledGateway compile(
      BulwarkConfig config,
      GatewayMetrics metrics,
      LogSink sink,
      Stores stores,
      AssertionKeys keys) {
    List<RouteTable.Entry<CompiledRoute>> entries = new ArrayList<>();
    UntrustedForwardingWarning untrustedForwarding =
        new UntrustedForwardingWarning(java.time.Duration.ofMinutes(5));
    SecurityEvents security = SecurityEvents.of(new SecurityLog(sink));
    AuthConfig auth = config.auth();
    Authenticator authenticator = Authenticator.compile(auth);
    UpstreamIdentity identity =
        new UpstreamIdentity(
            auth.forwardToken(), keys, auth.assertionAudience(), auth.assertionTtl().toSeconds());
    List<RouteTable.Entry<ForwardAuthPolicy.Protected>> access = new ArrayList<>();
    for (RouteConfig r : config.routes()) {
      List<Policy> chain = new ArrayList<>();
      chain.add(SecurityHeadersPolicy.compile(r.headers()));
      chain.add(new ErrorMaskingPolicy(r.errors()));
      if (!r.ipFilter().isEmpty()) {
        chain.add(IpFilterPolicy.compile(r.ipFilter()));
      }
      if (r.contract().enabled()) {
        chain.add(ContractPolicy.compile(r.contract(), r.limits().maxBody()));
      }
      chain.addAll(RateLimitPolicy.compile(r.name(), r.rateLimit(), stores.rateLimits()));
      if (r.cors().enabled()) {
        chain.add(CorsPolicy.compile(r.cors()));
      }
      List<String> params = r.match().pattern().paramNames();
      Credentials credentials = Credentials.bearer(authenticator, r.access().issuers());
      if (r.access().protectedRoute()) {
        chain.add(new AuthnPolicy(r.name(), credentials, security));
        chain.add(new AuthzPolicy(r.name(), r.access(), params, security));
      }
      Policy[] policies = PolicyChain.assemble(chain);
      CompiledRoute route =
          new CompiledRoute(
              r.name(),
              policies,
              UpstreamTarget.of(r.upstream(), auth.stripHeaders(), untrustedForwarding),
              r.limits(),
              metrics.route(r.name()),
              identity,
              r.rateLimit().limits());
      entries.add(
          new RouteTable.Entry<>(
              r.match().hostMatcher(),
              r.match().pattern(),
              r.match().methods(),
              r.match().rules(),
              route));
      access.add(
          new RouteTable.Entry<>(
              r.match().hostMatcher(),
              r.match().pattern(),
              r.match().methods(),
              r.match().rules(),
              new ForwardAuthPolicy.Protected(r.name(), r.access(), params, credentials)));
    }
    String forwardAuth = auth.forwardAuthPath();
    if (forwardAuth != null) {
      entries.addAll(
          0,
          ForwardAuthRoutes.entries(
              forwardAuth,
              access,
              new ForwardAuthPolicy(new RouteTable<>(access), identity, security),
              config,
              metrics,
              identity));
    }
    CompiledRoute fallback =
        new CompiledRoute(
            NO_ROUTE,
            PolicyChain.assemble(List.of(SecurityHeadersPolicy.compile(config.defaultHeaders()))),
            null,
            RouteLimits.DEFAULTS,
            metrics.route(NO_ROUTE),
            identity,
            List.of());
    return new CompiledGateway(
        config,
        new RouteTable<>(entries),
        fallback,
        new ClientAddressResolver(config.trustedProxies()),
        new AccessLog(sink, config.accessLog()),
        new BanRules(config.bans(), config.trustedProxies(), stores.bans(), security));
  }

  /**
   * Returns a one-line-per-route summary of what was compiled (for check-config and golden tests).
   */
  String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append("listen https=").append(config.listen().https());
    sb.append(" http=").append(config.listen().http());
    sb.append(" admin=").append(config.listen().admin()).append('\n');
    sb.append("store ").append(config.store().cluster() ? "redis" : "embedded");
    sb.append(" connections=")
        .append(config.connections().perClient())
        .append("/client,")
        .append(config.connections().total())
        .append(" bans=")
        .append(config.bans().drop() ? "drop" : "deny");
    for (var rule : config.bans().rules()) {
      sb.append(' ')
          .append(rule.name())
          .append('(')
          .append(new java.util.TreeSet<>(rule.statuses()))
          .append(" x")
          .append(rule.count())
          .append('/')
          .append(dev.bulwark.config.Units.formatDuration(rule.window()))
          .append(" -> ")
          .append(dev.bulwark.config.Units.formatDuration(rule.ban()))
          .append("..")
          .append(dev.bulwark.config.Units.formatDuration(rule.maxBan()))
          .append(')');
    }
    sb.append('\n');
    for (RouteTable.Entry<CompiledRoute> e : routes.entries()) {
      CompiledRoute r = e.route();
      sb.append("route ")
          .append(r.name)
          .append(" host=")
          .append(e.host())
          .append(" path=")
          .append(e.path());
      if (!e.methods().isEmpty()) {
        sb.append(" methods=").append(String.join(",", e.methods()));
      }
      RouteTable.Rules rules = e.rules();
      if (!rules.caseSensitive()) {
        sb.append(" case=any");
      }
      if (rules.pathParameters()) {
        sb.append(" path-parameters=forward");
      }
      if (rules.methodsFallThrough()) {
        sb.append(" other-methods=fall-through");
      }
      UpstreamTarget u = r.upstream;
      if (u != null) {
        sb.append(" -> ").append(u.tls() ? "https" : "http").append("://").append(u.authority());
      }
      sb.append(" policies=");
      for (int i = 0; i < r.policies.length; i++) {
        sb.append(i == 0 ? "" : ",").append(r.policies[i].name());
      }
      for (var l : r.rateLimits) {
        sb.append(" limit=")
            .append(l.name())
            .append('(')
            .append(l.key())
            .append(' ')
            .append(l.limit())
            .append('/')
            .append(dev.bulwark.config.Units.formatDuration(l.window()))
            .append(" burst ")
            .append(l.burst())
            .append(l.denyOnStoreFailure() ? "" : " allow-on-store-failure")
            .append(')');
      }
      sb.append(" body=").append(dev.bulwark.config.Units.formatSize(r.limits.maxBody()));
      sb.append(" timeout=").append(dev.bulwark.config.Units.formatDuration(r.limits.timeout()));
      sb.append('\n');
    }
    return sb.toString();
  }
}
