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
