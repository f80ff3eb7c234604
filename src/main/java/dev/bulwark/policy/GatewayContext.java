package dev.bulwark.policy;

import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.exchange.CidrSet;
import dev.bulwark.identity.UpstreamIdentity;
import dev.bulwark.store.Stores;

/**
 * What every feature may use while one configuration compiles: the configuration (its top-level
 * sections by type), the gateway's stores, the security events (every sink), the identity sent to
 * upstreams, and the executor of blocking work (whose completions resume on the exchange's loop).
 */
public record GatewayContext(
    BulwarkConfig config,
    Stores stores,
    SecurityEvents security,
    UpstreamIdentity identity,
    BlockingExecutor blocking) {

  /** Returns the value of the top-level section of this type. */
  public <T> T section(Class<T> type) {
    return config.section(type);
  }

  /** Returns the proxies whose forwarding headers are believed. */
  public CidrSet trustedProxies() {
    return config.trustedProxies();
  }
}
