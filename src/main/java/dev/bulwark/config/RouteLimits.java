package dev.bulwark.config;

import java.time.Duration;

/**
 * Per-route limits: the request body size (enforced while reading, both framings), whether the body
 * is read whole before an upstream connection is taken, the time to receive the whole body and the
 * slowest average rate it may arrive at, the upstream connect and response timeouts, how many
 * pooled upstream connections one client address may hold at once, and how long a client may take
 * nothing of a response being sent before it is cut off.
 */
public record RouteLimits(
    long maxBody,
    Duration bodyTimeout,
    Duration connectTimeout,
    Duration timeout,
    Duration sendTimeout,
    boolean bufferBody,
    long minUploadRate,
    int upstreamPerClient) {
  /**
   * The strict defaults: 1MiB body, read whole before forwarding, 30s to send it at no less than
   * 1KiB/s on average, 5s to connect, 30s for the upstream to answer, 60s for a stalled reader
   * (nginx's {@code send_timeout}), 32 upstream connections per client address (a quarter of the
   * default pool).
   */
  public static final RouteLimits DEFAULTS =
      new RouteLimits(
          1 << 20,
          Duration.ofSeconds(30),
          Duration.ofSeconds(5),
          Duration.ofSeconds(30),
          Duration.ofSeconds(60),
          true,
          1024,
          32);

  static final java.util.Set<String> KEYS =
      java.util.Set.of(
          "body",
          "body-timeout",
          "connect-timeout",
          "timeout",
          "send-timeout",
          "request-body",
          "min-upload-rate",
          "upstream-per-client");

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
    boolean buffer = inherited.bufferBody();
    ConfigNode mode = n.get("request-body");
    if (mode.present()) {
      String m = mode.string("buffer or stream");
      if ("buffer".equals(m)) {
        buffer = true;
      } else if ("stream".equals(m)) {
        buffer = false;
        mode.warning(
            "stream: each upload holds an upstream connection while it arrives (keep"
                + " min-upload-rate and upstream-per-client)");
      } else if (m != null) {
        mode.invalid("buffer or stream");
      }
    }
    ConfigNode rateNode = n.get("min-upload-rate");
    long rate = rateNode.size(inherited.minUploadRate(), 0, 1L << 30);
    if (rateNode.present() && rate == 0) {
      rateNode.warning("0B: a client may trickle its body until body-timeout");
    }
    int perClient = n.get("upstream-per-client").integer(inherited.upstreamPerClient(), 1, 10_000);
    return new RouteLimits(body, bodyTimeout, connect, timeout, send, buffer, rate, perClient);
  }
}
