package dev.bulwark.store.redis;

import dev.bulwark.store.Ban;
import dev.bulwark.store.BanStore;
import dev.bulwark.store.memory.MemoryBanStore;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.netty.util.concurrent.EventExecutorGroup;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Bans shared through Redis: a hash of address to ban, a version counter bumped on every change,
 * and per-rule strike counters that expire with their window. Each gateway keeps a local copy of
 * the hash (so a lookup never waits on Redis) and refreshes it whenever the version moves, polled
 * every half second: a ban made by one gateway holds on every other within a second. While Redis is
 * down the last copy keeps being enforced.
 */
final class RedisBanStore implements BanStore {
  private static final long SYNC_MS = 500;
  private static final byte[] BANS = bytes("bulwark:bans");
  private static final byte[] VERSION = bytes("bulwark:bans:version");
  private static final String STRIKE =
      "local c = redis.call('INCR', KEYS[1]) "
          + "if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end "
          + "return c";
  private static final String REPEAT =
      "local c = redis.call('INCR', KEYS[1]) redis.call('PEXPIRE', KEYS[1], ARGV[1]) return c";
  private static final String PUT =
      "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return redis.call('INCR', KEYS[2])";
  private static final String REMOVE =
      "local n = redis.call('HDEL', KEYS[1], ARGV[1]) "
          + "if n > 0 then redis.call('INCR', KEYS[2]) end return n";

  private final RedisStore store;
  private final long maxBans;
  private volatile Map<String, Ban> local = Map.of();
  private volatile @Nullable String version;
  private volatile @Nullable ScheduledFuture<?> sync;

  RedisBanStore(RedisStore store, long maxBans) {
    this.store = store;
    this.maxBans = maxBans;
  }

  void startSync(EventExecutorGroup executor) {
    sync = executor.scheduleAtFixedRate(this::refresh, 0, SYNC_MS, TimeUnit.MILLISECONDS);
  }

  void stopSync() {
    ScheduledFuture<?> s = sync;
    if (s != null) {
      s.cancel(false);
    }
  }

  @Override
  public @Nullable Ban active(String address) {
    Ban b = local.get(address);
    return b != null && b.activeAt(System.currentTimeMillis()) ? b : null;
  }

  @Override
  public CompletionStage<Ban> ban(
      String address,
      Duration base,
      Duration max,
      Duration repeatMemory,
      String reason,
      String by) {
    RedisAsyncCommands<byte[], byte[]> redis = commands();
    if (redis == null) {
      return failed("ban");
    }
    if (local.size() >= maxBans && !local.containsKey(address)) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("ban list full (" + maxBans + " bans)"));
    }
    CompletionStage<Long> repeats =
        redis.<Long>eval(
            REPEAT,
            ScriptOutputType.INTEGER,
            new byte[][] {bytes("bulwark:banrepeat:" + address)},
            bytes(String.valueOf(repeatMemory.toMillis())));
    return repeats
        .thenCompose(
            count -> {
              Ban ban =
                  MemoryBanStore.banFor(
                      address, base, max, count - 1, reason, by, System.currentTimeMillis());
              return redis
                  .<Long>eval(
                      PUT,
                      ScriptOutputType.INTEGER,
                      new byte[][] {BANS, VERSION},
                      bytes(address),
                      bytes(encode(ban)))
                  .thenApply(
                      v -> {
                        Map<String, Ban> next = new HashMap<>(local);
                        next.put(address, ban);
                        local = Map.copyOf(next);
                        return ban;
                      });
            })
        .whenComplete((b, e) -> report("ban", e));
  }

  @Override
  public CompletionStage<Boolean> unban(String address) {
    RedisAsyncCommands<byte[], byte[]> redis = commands();
    if (redis == null) {
      return failed("unban");
    }
    return redis
        .<Long>eval(REMOVE, ScriptOutputType.INTEGER, new byte[][] {BANS, VERSION}, bytes(address))
        .thenApply(
            n -> {
              Map<String, Ban> next = new HashMap<>(local);
              next.remove(address);
              local = Map.copyOf(next);
              return n > 0;
            })
        .whenComplete((b, e) -> report("unban", e));
  }

  @Override
  public List<Ban> list() {
    long now = System.currentTimeMillis();
    List<Ban> out = new ArrayList<>();
    for (Ban b : local.values()) {
      if (b.activeAt(now)) {
        out.add(b);
      }
    }
    return out;
  }

  @Override
  public CompletionStage<Long> strike(String rule, String address, Duration window) {
    RedisAsyncCommands<byte[], byte[]> redis = commands();
    if (redis == null) {
      return failed("strike");
    }
    return redis
        .<Long>eval(
            STRIKE,
            ScriptOutputType.INTEGER,
            new byte[][] {bytes("bulwark:strike:" + rule + ":" + address)},
            bytes(String.valueOf(window.toMillis())))
        .whenComplete((c, e) -> report("strike", e));
  }

  @Override
  public CompletionStage<Void> forgetStrikes(String rule, String address) {
    RedisAsyncCommands<byte[], byte[]> redis = commands();
    if (redis == null) {
      return failed("forget-strikes");
    }
    return redis
        .del(bytes("bulwark:strike:" + rule + ":" + address))
        .whenComplete((n, e) -> report("forget-strikes", e))
        .thenAccept(n -> {});
  }

  /** Reloads the local copy when the shared version moved (or on first contact). */
  private void refresh() {
    RedisAsyncCommands<byte[], byte[]> redis = commands();
    if (redis == null) {
      return;
    }
    redis
        .get(VERSION)
        .thenCompose(
            v -> {
              String seen = v == null ? "0" : new String(v, StandardCharsets.UTF_8);
              if (seen.equals(version)) {
                return CompletableFuture.completedFuture(null);
              }
              return redis.hgetall(BANS).thenApply(all -> replace(all, seen, redis));
            })
        .whenComplete((x, e) -> report("ban-sync", e));
  }

  private @Nullable Void replace(
      Map<byte[], byte[]> all, String seen, RedisAsyncCommands<byte[], byte[]> redis) {
    long now = System.currentTimeMillis();
    Map<String, Ban> next = new HashMap<>();
    List<byte[]> expired = new ArrayList<>();
    for (Map.Entry<byte[], byte[]> e : all.entrySet()) {
      String address = new String(e.getKey(), StandardCharsets.UTF_8);
      Ban b = decode(address, new String(e.getValue(), StandardCharsets.UTF_8));
      if (b == null || !b.activeAt(now)) {
        expired.add(e.getKey());
      } else if (next.size() < maxBans) {
        next.put(address, b);
      }
    }
    if (!expired.isEmpty()) {
      redis.hdel(BANS, expired.toArray(new byte[0][]));
    }
    local = Map.copyOf(next);
    version = seen;
    return null;
  }

  static String encode(Ban b) {
    return b.untilMillis() + "|" + b.repeat() + "|" + b.by() + "|" + b.reason();
  }

  static @Nullable Ban decode(String address, String value) {
    String[] p = value.split("\\|", 4);
    if (p.length != 4) {
      return null;
    }
    try {
      return new Ban(address, Long.parseLong(p[0]), p[3], Integer.parseInt(p[1]), p[2]);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private @Nullable RedisAsyncCommands<byte[], byte[]> commands() {
    StatefulRedisConnection<byte[], byte[]> c = store.connection();
    return c == null ? null : c.async();
  }

  private void report(String op, @Nullable Throwable e) {
    if (e != null) {
      store.health().failed(op, e);
    } else {
      store.health().ok();
    }
  }

  private <T> CompletionStage<T> failed(String op) {
    IllegalStateException e = new IllegalStateException("redis store not connected");
    store.health().failed(op, e);
    return CompletableFuture.failedFuture(e);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
