package dev.bulwark.policy;

import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.exchange.CidrSet;
import dev.bulwark.identity.UpstreamIdentity;
import dev.bulwark.store.Stores;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;

/**
 * What every feature may use while one configuration compiles: the configuration (its top-level
 * sections by type), the gateway's stores, the security events (every sink), the identity sent to
 * upstreams, the executor of blocking work (whose completions resume on the exchange's loop), and
 * the clock that credentials are checked against (the system's on a live gateway, a fixture's
 * {@code time} in {@code bulwark test}), and the registry that features keep their own meters in.
 */
public record GatewayContext(
    BulwarkConfig config,
    Stores stores,
    SecurityEvents security,
    UpstreamIdentity identity,
    BlockingExecutor blocking,
    Clock clock,
    MeterRegistry metrics) {

  /** A context whose meters are kept nowhere (a compile that serves no request, a test). */
  public GatewayContext(
      BulwarkConfig config,
      Stores stores,
      SecurityEvents security,
      UpstreamIdentity identity,
      BlockingExecutor blocking,
      Clock clock) {
    this(config, stores, security, identity, blocking, clock, new SimpleMeterRegistry());
  }

  /** Returns the value of the top-level section of this type. */
  public <T> T section(Class<T> type) {
    return config.section(type);
  }

  /** Returns the proxies whose forwarding headers are believed. */
  public CidrSet trustedProxies() {
    return config.trustedProxies();
  }
}
