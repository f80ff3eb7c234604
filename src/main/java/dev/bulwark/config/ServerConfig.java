package dev.bulwark.config;

import java.time.Duration;
import java.util.Set;

/**
 * Process-wide settings of the listeners: event loops, shutdown grace, the executor of blocking
 * work (threads and queue), how many recent decisions the admin API can explain (0: off), and the
 * limits that apply before any route is known (request line, headers, slow clients).
 */
public record ServerConfig(
    int eventLoops,
    Duration shutdownGrace,
    int blockingThreads,
    int blockingQueue,
    int maxUriLength,
    int maxHeaderSize,
    int maxHeaderCount,
    Duration headerTimeout,
    Duration idleTimeout,
    int explainRecent) {

  /** The most recent decisions {@code server.explain-recent} may keep. */
  public static final int MAX_EXPLAIN_RECENT = 10_000;

  /** Threads for blocking work (password hashing, JDBC, file I/O) unless the file says. */
  public static final int DEFAULT_BLOCKING_THREADS = 8;

  /**
   * Blocking tasks that may wait unless the file says: enough to absorb a burst, few enough that a
   * waiting request is refused (503) rather than left waiting for seconds.
   */
  public static final int DEFAULT_BLOCKING_QUEUE = 256;

  static final Set<String> LISTENER_LIMIT_KEYS =
      Set.of("uri", "header", "header-count", "header-timeout", "idle-timeout");

  static ServerConfig read(ConfigNode server, ConfigNode limits) {
    server.expectMapping(Set.of("event-loops", "shutdown-grace", "blocking", "explain-recent"));
    int loops = server.get("event-loops").integer(0, 0, 256);
    ConfigNode blocking = server.get("blocking");
    blocking.expectMapping(Set.of("threads", "queue"));
    int blockingThreads = blocking.get("threads").integer(DEFAULT_BLOCKING_THREADS, 1, 256);
    int blockingQueue = blocking.get("queue").integer(DEFAULT_BLOCKING_QUEUE, 1, 100_000);
    Duration grace =
        server
            .get("shutdown-grace")
            .duration(Duration.ofSeconds(30), Duration.ZERO, Duration.ofMinutes(10));
    int explainRecent = server.get("explain-recent").integer(0, 0, MAX_EXPLAIN_RECENT);
    int uri = (int) limits.get("uri").size(8 * 1024, 256, 64 * 1024);
    int header = (int) limits.get("header").size(16 * 1024, 1024, 256 * 1024);
    int count = limits.get("header-count").integer(100, 1, 1000);
    Duration headerTimeout =
        limits
            .get("header-timeout")
            .duration(Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(5));
    Duration idle =
        limits
            .get("idle-timeout")
            .duration(Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofHours(1));
    return new ServerConfig(
        loops,
        grace,
        blockingThreads,
        blockingQueue,
        uri,
        header,
        count,
        headerTimeout,
        idle,
        explainRecent);
  }
}
