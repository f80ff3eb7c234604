package dev.bulwark.server;

import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.RouteConfig;
import dev.bulwark.config.RouteLimits;
import dev.bulwark.config.Units;
import dev.bulwark.config.UpstreamConfig;
import dev.bulwark.config.UpstreamIdentitySettings;
import dev.bulwark.endpoint.EndpointCatalog;
import dev.bulwark.exchange.ClientAddressResolver;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.RequestView;
import dev.bulwark.identity.AssertionKeys;
import dev.bulwark.identity.UpstreamIdentity;
import dev.bulwark.observe.AccessLog;
import dev.bulwark.observe.GatewayMetrics;
import dev.bulwark.observe.LogSink;
import dev.bulwark.observe.SecurityLog;
import dev.bulwark.pipeline.RecentDecisions;
import dev.bulwark.policy.AnswersForOtherMethod;
import dev.bulwark.policy.ClientCheck;
import dev.bulwark.policy.Compilation;
import dev.bulwark.policy.ConnectionAdmission;
import dev.bulwark.policy.ExchangeObserver;
import dev.bulwark.policy.GatewayContext;
import dev.bulwark.policy.GatewayPolicy;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.policy.PolicyChain;
import dev.bulwark.policy.PolicyFactory;
import dev.bulwark.policy.Refusal;
import dev.bulwark.policy.RouteContext;
import dev.bulwark.policy.Stage;
import dev.bulwark.proxy.UntrustedForwardingWarning;
import dev.bulwark.proxy.UpstreamTarget;
import dev.bulwark.routing.RouteTable;
import dev.bulwark.store.Stores;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A configuration compiled into what requests only read: the route table with each route's policy
 * chain (every feature of the catalog asked in turn, none named here), the gateway-wide policies
 * met at the edge, the client-address resolver and the access log. Swapped atomically on reload.
 */
final class CompiledGateway {
  /** The name under which requests that match no route are counted and logged. */
  static final String NO_ROUTE = "none";

  /**
   * What outlives one compiled configuration, shared by every reload: the security events (one
   * fan-out for the process), the clock that tokens are checked against, the ring of recent
   * decisions that the admin API explains, and the executor of blocking work.
   */
  record Services(
      SecurityEvents security, Clock clock, RecentDecisions recent, BlockingExecutor blocking) {
    /**
     * Services of a compile that serves no request: events to {@code sink}, the system clock, no
     * ring, and {@code blocking} (which the caller closes).
     */
    static Services quiet(LogSink sink, BlockingExecutor blocking) {
      return new Services(
          SecurityEvents.of(new SecurityLog(sink)),
          Clock.systemUTC(),
          RecentDecisions.off(),
          blocking);
    }
  }

  private final BulwarkConfig config;
  private final RouteTable<CompiledRoute> routes;
  private final CompiledRoute fallback;
  private final ClientAddressResolver clients;
  private final AccessLog accessLog;
  private final List<GatewayPolicy> gatewayPolicies;
  private final ClientCheck[] clientChecks;
  private final ExchangeObserver[] observers;
  private final ConnectionAdmission[] admissions;
  private final AnswersForOtherMethod[] askers;
  private final RecentDecisions recent;
  private final UntrustedForwardingWarning untrustedForwarding =
      new UntrustedForwardingWarning(Duration.ofMinutes(5));

  private CompiledGateway(
      BulwarkConfig config,
      RouteTable<CompiledRoute> routes,
      CompiledRoute fallback,
      AccessLog accessLog,
      List<GatewayPolicy> gatewayPolicies,
      List<AnswersForOtherMethod> askers,
      RecentDecisions recent) {
    this.config = config;
    this.recent = recent;
    this.routes = routes;
    this.fallback = fallback;
    this.clients = new ClientAddressResolver(config.trustedProxies());
    this.accessLog = accessLog;
    this.gatewayPolicies = List.copyOf(gatewayPolicies);
    List<ClientCheck> checks = new ArrayList<>();
    List<ExchangeObserver> watching = new ArrayList<>();
    List<ConnectionAdmission> admitting = new ArrayList<>();
    for (GatewayPolicy p : gatewayPolicies) {
      if (p instanceof ClientCheck c) {
        checks.add(c);
      }
      if (p instanceof ExchangeObserver o) {
        watching.add(o);
      }
      if (p instanceof ConnectionAdmission a) {
        admitting.add(a);
      }
    }
    this.clientChecks = checks.toArray(new ClientCheck[0]);
    this.observers = watching.toArray(new ExchangeObserver[0]);
    this.admissions = admitting.toArray(new ConnectionAdmission[0]);
    this.askers = askers.toArray(new AnswersForOtherMethod[0]);
  }

  /** Compiles a configuration with every feature of the catalog and the standard endpoints. */
  static CompiledGateway compile(
      BulwarkConfig config,
      PolicyCatalog catalog,
      GatewayMetrics metrics,
      LogSink sink,
      Stores stores,
      AssertionKeys keys,
      Services services) {
    return compile(
        config, catalog, EndpointCatalog.standard(), metrics, sink, stores, keys, services);
  }

  /**
   * Compiles a configuration with every feature of the catalog, and each route that serves an
   * endpoint ({@code serve}) with its kind from {@code endpoints}.
   */
  static CompiledGateway compile(
      BulwarkConfig config,
      PolicyCatalog catalog,
      EndpointCatalog endpoints,
      GatewayMetrics metrics,
      LogSink sink,
      Stores stores,
      AssertionKeys keys,
      Services services) {
    UpstreamIdentitySettings upstreamIdentity = config.upstreamIdentity();
    UpstreamIdentity identity =
        new UpstreamIdentity(
            upstreamIdentity.forwardToken(),
            keys,
            upstreamIdentity.assertionAudience(),
            upstreamIdentity.assertionTtl().toSeconds());
    GatewayContext context =
        new GatewayContext(
            config,
            stores,
            services.security(),
            identity,
            services.blocking(),
            services.clock(),
            metrics.registry());
    List<PolicyFactory<?>> factories = catalog.factories();
    List<Compilation> compilations = new ArrayList<>(factories.size());
    for (PolicyFactory<?> f : factories) {
      compilations.add(f.compile(context));
    }
    List<List<Policy>> chains = new ArrayList<>();
    for (RouteConfig r : config.routes()) {
      RouteContext route = RouteContext.of(r);
      List<Policy> chain = new ArrayList<>();
      for (Compilation c : compilations) {
        chain.addAll(c.route(route));
      }
      chains.add(chain);
    }
    // An endpoint may judge by every route (forward-auth), so served routes get theirs once all
    // routes are compiled.
    List<RouteTable.Entry<CompiledRoute>> entries = new ArrayList<>();
    List<AnswersForOtherMethod> askers = new ArrayList<>();
    for (int i = 0; i < config.routes().size(); i++) {
      RouteConfig r = config.routes().get(i);
      List<Policy> chain = chains.get(i);
      String serve = r.serve();
      if (serve != null) {
        chain.addAll(endpoints.serve(serve, context, compilations, RouteContext.of(r)));
      }
      UpstreamConfig upstream = r.upstream();
      CompiledRoute compiled =
          new CompiledRoute(
              r.name(),
              PolicyChain.assemble(chain),
              upstream == null
                  ? null
                  : UpstreamTarget.of(upstream, upstreamIdentity.stripHeaders()),
              r.limits(),
              metrics.route(r.name()),
              identity);
      AnswersForOtherMethod asker = compiled.asker;
      if (asker != null && askers.stream().noneMatch(a -> a.getClass() == asker.getClass())) {
        askers.add(asker);
      }
      entries.add(
          new RouteTable.Entry<>(
              r.match().hostMatcher(),
              r.match().pattern(),
              r.match().methods(),
              r.match().rules(),
              compiled));
    }
    List<GatewayPolicy> gatewayPolicies = new ArrayList<>();
    for (Compilation c : compilations) {
      gatewayPolicies.addAll(c.gateway());
    }
    // The gateway's own answer when no route matches passes through the edge policies of
    // defaults: security headers on every answer.
    CompiledRoute fallback =
        ownRoute(
            NO_ROUTE, edgePolicies(config, factories, compilations, NO_ROUTE), metrics, identity);
    return new CompiledGateway(
        config,
        new RouteTable<>(entries),
        fallback,
        new AccessLog(sink, config.accessLog()),
        gatewayPolicies,
        askers,
        services.recent());
  }

  /**
   * Returns the policies of every feature whose stages are all edge stages, as defaults set them.
   */
  private static List<Policy> edgePolicies(
      BulwarkConfig config,
      List<PolicyFactory<?>> factories,
      List<Compilation> compilations,
      String name) {
    RouteContext own = new RouteContext(name, null, RouteLimits.DEFAULTS, config.defaults());
    List<Policy> out = new ArrayList<>();
    for (int i = 0; i < factories.size(); i++) {
      if (factories.get(i).stages().stream().allMatch(Stage::edge)) {
        out.addAll(compilations.get(i).route(own));
      }
    }
    return out;
  }

  private static CompiledRoute ownRoute(
      String name, List<Policy> chain, GatewayMetrics metrics, UpstreamIdentity identity) {
    return new CompiledRoute(
        name,
        PolicyChain.assemble(chain),
        null,
        RouteLimits.DEFAULTS,
        metrics.route(name),
        identity);
  }

  BulwarkConfig config() {
    return config;
  }

  RouteTable<CompiledRoute> routes() {
    return routes;
  }

  /** Returns the route of requests that match none (and of requests refused before routing). */
  CompiledRoute fallback() {
    return fallback;
  }

  ClientAddressResolver clients() {
    return clients;
  }

  /** Returns the warning about forwarding headers from peers outside {@code trusted-proxies}. */
  UntrustedForwardingWarning untrustedForwarding() {
    return untrustedForwarding;
  }

  AccessLog accessLog() {
    return accessLog;
  }

  /** Returns the ring that keeps recent decisions for the admin API (off by default). */
  RecentDecisions recent() {
    return recent;
  }

  /** Returns how the gateway's edge checks refuse a client, or null when none does. */
  @Nullable Refusal checkClient(String client) {
    for (ClientCheck c : clientChecks) {
      Refusal r = c.check(client);
      if (r != null) {
        return r;
      }
    }
    return null;
  }

  /** Returns whether a new connection from an untrusted client is kept open. */
  boolean admitsConnection(String client) {
    for (ConnectionAdmission a : admissions) {
      if (!a.admits(client)) {
        return false;
      }
    }
    return true;
  }

  /** Tells the gateway-wide policies how an exchange ended (ban strikes). */
  void ended(Exchange ex) {
    for (ExchangeObserver o : observers) {
      o.ended(ex);
    }
  }

  /**
   * Matches a request to a route: by the method it asks about when a route's policy answers such
   * requests (a CORS preflight), else by its own method.
   */
  RouteTable.Match<CompiledRoute> match(
      RequestView request, String host, String path, String method) {
    RouteTable.Match<CompiledRoute> asked = matchAskedMethod(request, host, path);
    return asked != null ? asked : routes.match(host, path, method);
  }

  /**
   * Routes a request that asks about another method than its own (a CORS preflight) by the method
   * it asks about, when the route found holds a policy that answers such requests; returns null
   * otherwise, and the request is routed by its own method (so an OPTIONS never reaches an upstream
   * whose route does not allow OPTIONS).
   */
  RouteTable.@Nullable Match<CompiledRoute> matchAskedMethod(
      RequestView request, String host, String path) {
    for (AnswersForOtherMethod a : askers) {
      String asked = a.askedMethod(request);
      if (asked == null) {
        continue;
      }
      RouteTable.Match<CompiledRoute> m = routes.match(host, path, asked);
      CompiledRoute r = m.route();
      AnswersForOtherMethod own = r == null ? null : r.asker;
      if (own != null && own.getClass() == a.getClass()) {
        return m;
      }
    }
    return null;
  }

  /**
   * Returns what was compiled, for check-config and golden tests: the listeners and store, each
   * gateway-wide policy, then one line per route (where it forwards, or the kind of endpoint it
   * serves) with each of its policies' descriptions below it.
   */
  String summary() {
    java.util.Map<String, String> served = new java.util.HashMap<>();
    for (RouteConfig r : config.routes()) {
      String serve = r.serve();
      if (serve != null) {
        served.put(r.name(), serve);
      }
    }
    StringBuilder sb = new StringBuilder();
    sb.append("listen https=").append(config.listen().https());
    sb.append(" http=").append(config.listen().http());
    sb.append(" admin=").append(config.listen().admin());
    if (config.listen().admin() != null) {
      sb.append(" admin-auth=").append(config.admin().tokenRequired() ? "token" : "none");
    }
    sb.append('\n');
    sb.append("store ").append(config.store().cluster() ? "redis" : "embedded");
    sb.append(" connections=")
        .append(config.connections().perClient())
        .append("/client,")
        .append(config.connections().total())
        .append('\n');
    for (GatewayPolicy p : gatewayPolicies) {
      sb.append("gateway ").append(p.name()).append(": ").append(p.describe()).append('\n');
    }
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
      } else if (served.containsKey(r.name)) {
        sb.append(" -> serve ").append(served.get(r.name));
      }
      sb.append(" policies=");
      for (int i = 0; i < r.policies.length; i++) {
        sb.append(i == 0 ? "" : ",").append(r.policies[i].name());
      }
      sb.append(" body=").append(Units.formatSize(r.limits.maxBody()));
      sb.append(" timeout=").append(Units.formatDuration(r.limits.timeout()));
      sb.append('\n');
      for (Policy p : r.policies) {
        String d = p.describe();
        if (!d.isEmpty()) {
          sb.append("  ").append(p.name()).append(": ").append(d).append('\n');
        }
      }
    }
    return sb.toString();
  }
}
