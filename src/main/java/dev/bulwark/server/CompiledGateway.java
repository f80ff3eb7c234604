package dev.bulwark.server;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.RouteConfig;
import dev.bulwark.config.RouteLimits;
import dev.bulwark.exchange.ClientAddressResolver;
import dev.bulwark.exchange.RouteTable;
import dev.bulwark.observe.AccessLog;
import dev.bulwark.observe.GatewayMetrics;
import dev.bulwark.observe.LogSink;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyChain;
import dev.bulwark.policy.contract.ContractPolicy;
import dev.bulwark.policy.errors.ErrorMaskingPolicy;
import dev.bulwark.policy.headers.SecurityHeadersPolicy;
import dev.bulwark.policy.ipfilter.IpFilterPolicy;
import dev.bulwark.proxy.UpstreamTarget;
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
    AccessLog accessLog) {

  /** The name under which requests that match no route are counted and logged. */
  static final String NO_ROUTE = "none";

  static CompiledGateway compile(BulwarkConfig config, GatewayMetrics metrics, LogSink sink) {
    List<RouteTable.Entry<CompiledRoute>> entries = new ArrayList<>();
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
      Policy[] policies = PolicyChain.assemble(chain);
      CompiledRoute route =
          new CompiledRoute(
              r.name(),
              policies,
              UpstreamTarget.of(r.upstream()),
              r.limits(),
              metrics.route(r.name()));
      entries.add(
          new RouteTable.Entry<>(
              r.match().hostMatcher(), r.match().pattern(), r.match().methods(), route));
    }
    CompiledRoute fallback =
        new CompiledRoute(
            NO_ROUTE,
            PolicyChain.assemble(List.of(SecurityHeadersPolicy.compile(config.defaultHeaders()))),
            null,
            RouteLimits.DEFAULTS,
            metrics.route(NO_ROUTE));
    return new CompiledGateway(
        config,
        new RouteTable<>(entries),
        fallback,
        new ClientAddressResolver(config.trustedProxies()),
        new AccessLog(sink, config.accessLog()));
  }

  /**
   * Returns a one-line-per-route summary of what was compiled (for check-config and golden tests).
   */
  String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append("listen https=").append(config.listen().https());
    sb.append(" http=").append(config.listen().http());
    sb.append(" admin=").append(config.listen().admin()).append('\n');
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
      UpstreamTarget u = r.upstream;
      if (u != null) {
        sb.append(" -> ").append(u.tls() ? "https" : "http").append("://").append(u.authority());
      }
      sb.append(" policies=");
      for (int i = 0; i < r.policies.length; i++) {
        sb.append(i == 0 ? "" : ",").append(r.policies[i].name());
      }
      sb.append(" body=").append(dev.bulwark.config.Units.formatSize(r.limits.maxBody()));
      sb.append(" timeout=").append(dev.bulwark.config.Units.formatDuration(r.limits.timeout()));
      sb.append('\n');
    }
    return sb.toString();
  }
}
