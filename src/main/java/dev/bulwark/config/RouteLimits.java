package dev.bulwark.config;

import java.time.Duration;

/**
 * Per-route limits: the request body size (enforced while streaming, both framings), the time to
 * receive the whole body, the upstream connect and response timeouts, and how long a client may
 * take nothing of a response being sent before it is cut off.
 */
public record RouteLimits(
    long maxBody,
    Duration bodyTimeout,
    Duration connectTimeout,
    Duration timeout,
    Duration sendTimeout) {
  /**
   * The strict defaults: 1MiB body, 30s to send it, 5s to connect, 30s for the upstream to answer,
   * 60s for a stalled reader (nginx's {@code send_timeout}).
   */
  public static final RouteLimits DEFAULTS =
      new RouteLimits(
          1 << 20,
          Duration.ofSeconds(30),
          Duration.ofSeconds(5),
          Duration.ofSeconds(30),
          Duration.ofSeconds(60));

  static final java.util.Set<String> KEYS =
      java.util.Set.of("body", "body-timeout", "connect-timeout", "timeout", "send-timeout");

  /**
   * Reads route limits over the inherited ones; listener-wide keys are errors unless {@code
   * inDefaults}.
   */
  static RouteLimits read(ConfigNode n, RouteLimits inherited, boolean inDefaults) {
    if (n.present()) {
      java.util.Set<String> allowed = new java.util.HashSet<>(KEYS);
      if (inDefaults) {
        allowed.addAll(ServerConfig.LISTENER_LIMIT_KEYS);
      }
      if (n.isMapping() && !inDefaults) {
        for (String k : ServerConfig.LISTENER_LIMIT_KEYS) {
          if (n.get(k).present()) {
            n.get(k)
                .error(
                    "applies to the whole listener, before any route is known (expected: set it in defaults.limits)");
            allowed.add(k);
          }
        }
      }
      n.expectMapping(allowed);
    }
    long body = n.get("body").size(inherited.maxBody(), 0, 1L << 40);
    Duration bodyTimeout =
        n.get("body-timeout")
            .duration(inherited.bodyTimeout(), Duration.ofMillis(100), Duration.ofHours(1));
    Duration connect =
        n.get("connect-timeout")
            .duration(inherited.connectTimeout(), Duration.ofMillis(10), Duration.ofMinutes(5));
    Duration timeout =
        n.get("timeout").duration(inherited.timeout(), Duration.ofMillis(10), Duration.ofHours(1));
    Duration send =
        n.get("send-timeout")
            .duration(inherited.sendTimeout(), Duration.ofMillis(100), Duration.ofHours(1));
    return new RouteLimits(body, bodyTimeout, connect, timeout, send);
  }
}
