package dev.bulwark.config;

import java.util.Set;

/**
 * Caps on concurrent client connections to the HTTPS listener: in total, and per client address
 * (the TCP peer; trusted proxies are exempt from the per-client cap, since many clients share
 * them). A connection over a cap is closed as soon as it is accepted.
 */
public record ConnectionsConfig(int perClient, int total) {
  /** The defaults: 256 per client address, 20,000 in all. */
  public static final ConnectionsConfig DEFAULTS = new ConnectionsConfig(256, 20_000);

  static final Set<String> KEYS = Set.of("per-client", "total");

  static ConnectionsConfig read(ConfigNode n) {
    if (!n.present() || !n.expectMapping(KEYS)) {
      return DEFAULTS;
    }
    int perClient = n.get("per-client").integer(DEFAULTS.perClient(), 1, 1_000_000);
    int total = n.get("total").integer(DEFAULTS.total(), 1, 10_000_000);
    if (perClient > total) {
      n.get("per-client").invalid("at most total (" + total + ")");
    }
    return new ConnectionsConfig(perClient, total);
  }
}
