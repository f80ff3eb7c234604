package dev.bulwark.config;

import dev.bulwark.exchange.IpAddresses;

/**
 * Warns about weak-but-legal settings, route by route, against the hardening checklist (plain HTTP
 * upstream off the local host, generous limits); setting-local warnings (verification off, headers
 * off, masking off) are reported where they are read.
 */
final class HardeningLint {
  private static final long LARGE_BODY = 100L << 20;

  private HardeningLint() {}

  static void check(BulwarkConfig config, Problems problems) {
    java.util.List<String> unlimited = new java.util.ArrayList<>();
    for (int i = 0; i < config.routes().size(); i++) {
      RouteConfig r = config.routes().get(i);
      String at = "routes[" + i + "]";
      if (r.rateLimit().isEmpty()) {
        unlimited.add(r.name());
      }
      if (!r.upstream().tls() && !isLocal(r.upstream().host())) {
        problems.warning(
            at + ".upstream",
            r.upstream().origin()
                + ": plain HTTP to another host (traffic and identity headers travel unencrypted)");
      }
      if (r.limits().maxBody() > LARGE_BODY) {
        problems.warning(
            at + ".limits.body", Units.formatSize(r.limits().maxBody()) + ": larger than 100MiB");
      }
      if (r.limits().upstreamPerClient() >= r.upstream().poolSize()) {
        problems.warning(
            at + ".limits.upstream-per-client",
            r.limits().upstreamPerClient()
                + ": not below the upstream's pool-size ("
                + r.upstream().poolSize()
                + "), so one client address can take every pooled connection");
      }
      if (r.limits().timeout().toMinutes() >= 5) {
        problems.warning(
            at + ".limits.timeout",
            Units.formatDuration(r.limits().timeout())
                + ": long upstream timeout ties up connections");
      }
    }
    if (!unlimited.isEmpty()) {
      // One line for all of them: a rate limit in defaults is the usual fix.
      String names =
          String.join(", ", unlimited.subList(0, Math.min(5, unlimited.size())))
              + (unlimited.size() > 5 ? ", ..." : "");
      problems.warning(
          "routes",
          unlimited.size()
              + (unlimited.size() == 1 ? " route" : " routes")
              + " without a rate limit ("
              + names
              + "): a flood reaches the backend (set defaults.rate-limit)");
    }
    if (config.listen().http() == null) {
      problems.warning("listen.http", "not set: plain HTTP clients get no redirect to HTTPS");
    }
    checkTrustedProxies(config, problems);
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
    java.util.List<String> keyed = new java.util.ArrayList<>();
    ClientAddressKeyed bans = config.bans();
    if (bans.keyedByClientAddress()) {
      keyed.add("automatic bans");
    }
    if (config.routes().stream().anyMatch(r -> keyedByAddress(r.rateLimit()))) {
      keyed.add("rate limits");
    }
    if (config.routes().stream().anyMatch(r -> keyedByAddress(r.ipFilter()))) {
      keyed.add("ip-filter");
    }
    if (keyed.isEmpty()) {
      return;
    }
    problems.warning(
        "trusted-proxies",
        "empty: each client is its TCP peer; behind a load balancer or reverse proxy all clients"
            + " would share its address for "
            + (keyed.size() == 1
                ? keyed.get(0)
                : String.join(", ", keyed.subList(0, keyed.size() - 1))
                    + " and "
                    + keyed.get(keyed.size() - 1))
            + " (list the proxy's addresses; ignore this if clients connect directly)");
  }

  private static boolean keyedByAddress(ClientAddressKeyed setting) {
    return setting.keyedByClientAddress();
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
