package dev.bulwark.store;

import dev.bulwark.config.ConfigNode;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Where shared state lives: {@code embedded} (this process's memory, bounded by {@code max-keys}
 * tracked keys) or {@code { redis: redis://host:6379 }} (shared by every gateway pointed at it,
 * each operation bounded by {@code timeout}).
 */
public record StoreConfig(@Nullable String redis, Duration timeout, long maxKeys) {
  public static final StoreConfig EMBEDDED = new StoreConfig(null, Duration.ofMillis(250), 100_000);

  static final Set<String> KEYS = Set.of("embedded", "redis", "timeout", "max-keys");

  /** Returns whether the store is shared through Redis. */
  public boolean cluster() {
    return redis != null;
  }

  /** Reads {@code store}: {@code embedded}, or a mapping with {@code redis} and its settings. */
  public static StoreConfig read(ConfigNode n) {
    if (!n.present()) {
      return EMBEDDED;
    }
    if (n.isScalar()) {
      if (!"embedded".equals(n.rawText())) {
        n.invalid("embedded, or { redis: redis://host:6379 }");
      }
      return EMBEDDED;
    }
    if (!n.expectMapping(KEYS)) {
      return EMBEDDED;
    }
    long maxKeys = n.get("max-keys").integer(100_000, 1_000, 50_000_000);
    Duration timeout =
        n.get("timeout")
            .duration(EMBEDDED.timeout(), Duration.ofMillis(10), Duration.ofSeconds(10));
    if (n.get("embedded").present()) {
      if (n.get("redis").present()) {
        n.get("embedded").invalid("either embedded or redis, not both");
      } else if (!n.get("embedded").bool(true)) {
        n.get("embedded").invalid("true (or name a redis store)");
      }
      return new StoreConfig(null, timeout, maxKeys);
    }
    ConfigNode redisNode = n.get("redis");
    String url = redisNode.requiredString("a Redis URL such as redis://127.0.0.1:6379");
    if (url == null) {
      return EMBEDDED;
    }
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      redisNode.invalid("a Redis URL such as redis://127.0.0.1:6379 or rediss://host:6380");
      return EMBEDDED;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("redis") && !scheme.equals("rediss") || uri.getHost() == null) {
      redisNode.invalid("a Redis URL such as redis://127.0.0.1:6379 or rediss://host:6380");
      return EMBEDDED;
    }
    String host = uri.getHost();
    if (scheme.equals("redis")
        && !host.equals("127.0.0.1")
        && !host.equals("localhost")
        && !host.equals("[::1]")) {
      redisNode.warning(
          "redis:// to another host sends counters and bans in clear text (use rediss://)");
    }
    return new StoreConfig(url, timeout, maxKeys);
  }
}
