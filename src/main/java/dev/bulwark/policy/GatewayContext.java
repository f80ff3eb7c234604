package dev.bulwark.policy;

import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.exchange.CidrSet;
import dev.bulwark.identity.UpstreamIdentity;
import dev.bulwark.store.Stores;

/**
 * What every feature may use while one configuration compiles: the configuration (its top-level
 * sections by type), the gateway's stores, the security events (every sink), and the identity sent
 * to upstreams.
 */
public record GatewayContext(
    BulwarkConfig config, Stores stores, SecurityEvents security, UpstreamIdentity identity) {

  /** Returns the value of the top-level section of this type. */
  public <T> T section(Class<T> type) {
    return config.section(type);
  }

  /** Returns the proxies whose forwarding headers are believed. */
  public CidrSet trustedProxies() {
    return config.trustedProxies();
  }
}
