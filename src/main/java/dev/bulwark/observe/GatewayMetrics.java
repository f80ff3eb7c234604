package dev.bulwark.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's Prometheus metrics: requests by route and status class, latency histograms,
 * upstream errors by kind, policy decisions, reloads, TLS handshake failures by reason and the
 * served certificate's expiry. Meters are looked up once per route at config compile time, so a
 * request only increments.
 */
public final class GatewayMetrics {
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
    Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)
  };

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentMap<String, RouteMeters> routes = new ConcurrentHashMap<>();
  private final Counter configReloads;
  private final Counter configReloadFailures;
  private final AtomicLong certificateExpiry = new AtomicLong();

  public GatewayMetrics() {
    configReloads =
        Counter.builder("bulwark_config_reloads")
            .description("Reloads that swapped in a new configuration")
            .register(registry);
    configReloadFailures =
        Counter.builder("bulwark_config_reload_failures")
            .description("Reloads refused (the running configuration stayed)")
            .register(registry);
    Gauge.builder("bulwark_tls_certificate_expiry_timestamp", certificateExpiry, AtomicLong::get)
        .description(
            "When the served certificate chain expires (its earliest notAfter), in seconds since"
                + " the epoch")
        .baseUnit("seconds")
        .register(registry);
  }

  /** Records when the certificate chain now being served expires. */
  public void certificateServed(Instant notAfter) {
    certificateExpiry.set(notAfter.getEpochSecond());
  }

  /**
   * Returns the counter of TLS handshakes that failed for a reason (a short, fixed label such as
   * {@code protocol}); callers look each reason up once.
   */
  public Counter tlsHandshakeFailures(String reason) {
    return Counter.builder("bulwark_tls_handshake_failures")
        .tag("reason", reason)
        .description("TLS handshakes on the HTTPS listener that failed, by reason")
        .register(registry);
  }

  /** Exports the log sink's count of dropped lines. */
  public void watchLogSink(LogSink sink) {
    io.micrometer.core.instrument.FunctionCounter.builder(
            "bulwark_log_lines_dropped", sink, LogSink::dropped)
        .description("Access and security log lines dropped because the writer could not keep up")
        .register(registry);
  }

  /** Returns the meters of a route (created on first use, shared across reloads). */
  public RouteMeters route(String name) {
    return routes.computeIfAbsent(name, n -> new RouteMeters(registry, n, BUCKETS));
  }

  public void configReloaded() {
    configReloads.increment();
  }

  public void configReloadFailed() {
    configReloadFailures.increment();
  }

  /** Returns the registry, for components that keep their own meters (stores, caps). */
  public io.micrometer.core.instrument.MeterRegistry registry() {
    return registry;
  }

  /** Returns the Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  /** The meters of one route (or of the pseudo-route {@code none} for unmatched requests). */
  public static final class RouteMeters {
    private final PrometheusMeterRegistry registry;
    private final String route;
    private final Counter[] byClass = new Counter[6];
    private final Timer latency;
    private final ConcurrentMap<String, Counter> others = new ConcurrentHashMap<>();

    RouteMeters(PrometheusMeterRegistry registry, String route, Duration[] buckets) {
      this.registry = registry;
      this.route = route;
      for (int c = 1; c <= 5; c++) {
        byClass[c] =
            Counter.builder("bulwark_requests")
                .tag("route", route)
                .tag("status_class", c + "xx")
                .description("Exchanges by route and response status class")
                .register(registry);
      }
      latency =
          Timer.builder("bulwark_request_duration")
              .tag("route", route)
              .description("Time from request head to response end")
              .serviceLevelObjectives(buckets)
              .register(registry);
    }

    /** Counts a finished exchange. */
    public void record(int status, long nanos) {
      int c = status / 100;
      if (c >= 1 && c <= 5) {
        byClass[c].increment();
      }
      latency.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Counts an upstream error by kind (connect, timeout, reset, bad-response). */
    public void upstreamError(String kind) {
      others
          .computeIfAbsent(
              "u:" + kind,
              k ->
                  Counter.builder("bulwark_upstream_errors")
                      .tag("route", route)
                      .tag("kind", kind)
                      .register(registry))
          .increment();
    }

    /** Counts a policy decision (allow, deny, masked...). */
    public void decision(String policy, String decision) {
      others
          .computeIfAbsent(
              policy + ":" + decision,
              k ->
                  Counter.builder("bulwark_policy_decisions")
                      .tag("route", route)
                      .tag("policy", policy)
                      .tag("decision", decision)
                      .register(registry))
          .increment();
    }
  }
}
