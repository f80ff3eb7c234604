package dev.bulwark.server;

import dev.bulwark.store.ConnectionCounts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Counts open HTTPS connections in total and per client address across every event loop (and, in
 * cluster mode, adds those other gateway processes last reported), and refuses a new one over
 * either cap (the caps are read from the current configuration, so a reload changes them).
 * Per-client counts exist only while a client has connections open, so the table is bounded by the
 * total cap.
 */
final class ConnectionCaps {
  private final Supplier<CompiledGateway> config;
  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentMap<String, AtomicInteger> perClient = new ConcurrentHashMap<>();
  private final Counter refusedTotal;
  private final Counter refusedPerClient;

  private final ConnectionCounts others;

  ConnectionCaps(
      Supplier<CompiledGateway> config, MeterRegistry registry, ConnectionCounts others) {
    this.config = config;
    this.others = others;
    others.source(this::snapshot);
    Gauge.builder("bulwark_connections_open", total, AtomicInteger::get)
        .description("Open HTTPS connections")
        .register(registry);
    this.refusedTotal =
        Counter.builder("bulwark_connections_refused")
            .tag("cap", "total")
            .description("Connections closed at accept because a cap was reached")
            .register(registry);
    this.refusedPerClient =
        Counter.builder("bulwark_connections_refused").tag("cap", "per-client").register(registry);
  }

  /**
   * Admits a connection from {@code peer} (counted until {@link #release}) or returns false when a
   * cap is reached; a trusted proxy only counts against the total.
   */
  boolean admit(String peer, boolean trustedProxy) {
    CompiledGateway gw = config.get();
    int totalCap = gw.config().connections().total();
    if (total.incrementAndGet() + others.remoteTotal() > totalCap) {
      total.decrementAndGet();
      refusedTotal.increment();
      return false;
    }
    if (trustedProxy) {
      return true;
    }
    int clientCap = gw.config().connections().perClient();
    AtomicInteger n = perClient.computeIfAbsent(peer, k -> new AtomicInteger());
    if (n.incrementAndGet() + others.remote(peer) > clientCap) {
      release(peer, false);
      refusedPerClient.increment();
      return false;
    }
    return true;
  }

  /** Releases a connection admitted with {@link #admit}. */
  void release(String peer, boolean trustedProxy) {
    total.decrementAndGet();
    if (trustedProxy) {
      return;
    }
    perClient.computeIfPresent(peer, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
  }

  /** Returns this process's per-client counts, for other gateway processes (cluster mode). */
  private Map<String, Integer> snapshot() {
    Map<String, Integer> out = new HashMap<>();
    perClient.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** Returns the number of open connections (for tests). */
  int open() {
    return total.get();
  }
}
