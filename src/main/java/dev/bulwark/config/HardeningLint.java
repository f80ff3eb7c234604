package dev.bulwark.config;

import dev.bulwark.exchange.IpAddresses;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Warns about weak-but-legal settings, route by route, against the hardening checklist (plain HTTP
 * upstream off the local host, generous limits), then asks each section for its own lint across
 * routes; setting-local warnings (verification off, headers off, masking off) are reported where
 * they are read.
 */
final class HardeningLint {
  private static final long LARGE_BODY = 100L << 20;

  private HardeningLint() {}

  static void check(
      BulwarkConfig config, List<? extends ConfigSection<?>> sections, Problems problems) {
    for (int i = 0; i < config.routes().size(); i++) {
      RouteConfig r = config.routes().get(i);
      String at = "routes[" + i + "]";
      UpstreamConfig upstream = r.upstream();
      if (upstream != null && !upstream.tls() && !isLocal(upstream.host())) {
        problems.warning(
            at + ".upstream",
            upstream.origin()
                + ": plain HTTP to another host (traffic and identity headers travel unencrypted)");
      }
      if (r.limits().maxBody() > LARGE_BODY) {
        problems.warning(
            at + ".limits.body", Units.formatSize(r.limits().maxBody()) + ": larger than 100MiB");
      }
      if (upstream != null && r.limits().upstreamPerClient() >= upstream.poolSize()) {
        problems.warning(
            at + ".limits.upstream-per-client",
            r.limits().upstreamPerClient()
                + ": not below the upstream's pool-size ("
                + upstream.poolSize()
                + "), so one client address can take every pooled connection");
      }
      if (r.limits().timeout().toMinutes() >= 5) {
        problems.warning(
            at + ".limits.timeout",
            Units.formatDuration(r.limits().timeout())
                + ": long upstream timeout ties up connections");
      }
    }
    for (ConfigSection<?> s : sections) {
      s.lint(config.routes(), problems);
    }
    if (config.listen().http() == null) {
      problems.warning("listen.http", "not set: plain HTTP clients get no redirect to HTTPS");
    }
    checkTrustedProxies(config, problems);
    AdminListenerCheck.lint(config, problems);
  }

  /**
   * Warns when {@code trusted-proxies} is empty, the HTTPS listener is reachable from other hosts,
   * and something is keyed by the client address: behind a load balancer every client would then
   * share its address (one ban locks out everyone, one rate-limit bucket for all). A loopback
   * listener is left alone: it is a local trial, or sits behind a proxy on the same host, where the
   * gateway's warning about forwarding headers from an untrusted peer catches it at run time.
   */
  private static void checkTrustedProxies(BulwarkConfig config, Problems problems) {
    if (!config.trustedProxies().isEmpty() || isLocal(config.listen().https().host())) {
      return;
    }
    Set<String> keyed = new LinkedHashSet<>();
    for (ClientAddressKeyed k : config.sections().all(ClientAddressKeyed.class)) {
      if (k.keyedByClientAddress()) {
        keyed.add(k.keyedFeature());
      }
    }
    // Section by section (in the catalog's order), so the words come in a fixed order.
    int sectionCount = config.routes().isEmpty() ? 0 : config.routes().get(0).sections().size();
    for (int i = 0; i < sectionCount; i++) {
      for (RouteConfig r : config.routes()) {
        if (r.sections().value(i) instanceof ClientAddressKeyed k && k.keyedByClientAddress()) {
          keyed.add(k.keyedFeature());
        }
      }
    }
    if (keyed.isEmpty()) {
      return;
    }
    problems.warning(
        "trusted-proxies",
        "empty: each client is its TCP peer; behind a load balancer or reverse proxy all clients"
            + " would share its address for "
            + inWords(new ArrayList<>(keyed))
            + " (list the proxy's addresses; ignore this if clients connect directly)");
  }

  /** Returns "a", "a and b", "a, b and c". */
  private static String inWords(List<String> items) {
    return items.size() == 1
        ? items.get(0)
        : String.join(", ", items.subList(0, items.size() - 1))
            + " and "
            + items.get(items.size() - 1);
  }

  private static boolean isLocal(String host) {
    if (host.equals("localhost")) {
      return true;
    }
    byte[] a = IpAddresses.parse(host);
    if (a == null) {
      return false;
    }
    String s = IpAddresses.format(a);
    return s.startsWith("127.") || s.equals("::1");
  }
}
