package dev.bulwark.store.redis;

import dev.bulwark.store.ConnectionCounts;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.netty.util.concurrent.EventExecutorGroup;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Connection counts shared through Redis: every second each gateway writes its per-client counts to
 * its own hash ({@code bulwark:conns:ID}, expiring after 3 seconds, so a dead gateway drops out)
 * and reads the hashes of the others listed in {@code bulwark:conns:instances}.
 */
final class RedisConnectionCounts implements ConnectionCounts {
  private static final long PERIOD_MS = 1000;
  private static final long TTL_MS = 3000;
  private static final byte[] INSTANCES = bytes("bulwark:conns:instances");
  private static final byte[] TOTAL_FIELD = bytes("*");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final RedisStore store;
  private final String id;
  private final byte[] ownKey;
  private volatile Supplier<Map<String, Integer>> local = Map::of;
  private volatile Map<String, Integer> remote = Map.of();
  private volatile int remoteTotal;
  private Set<String> published = Set.of();
  private volatile @Nullable ScheduledFuture<?> task;

  RedisConnectionCounts(RedisStore store) {
    this.store = store;
    byte[] random = new byte[8];
    RANDOM.nextBytes(random);
    this.id = HexFormat.of().formatHex(random);
    this.ownKey = bytes("bulwark:conns:" + id);
  }

  void start(EventExecutorGroup executor) {
    task =
        executor.scheduleAtFixedRate(this::exchange, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
  }

  void stop() {
    ScheduledFuture<?> t = task;
    if (t != null) {
      t.cancel(false);
    }
    RedisAsyncCommands<byte[], byte[]> redis = commands();
    if (redis != null) {
      redis.del(ownKey);
      redis.srem(INSTANCES, new byte[][] {bytes(id)});
    }
  }

  @Override
  public int remote(String client) {
    Integer n = remote.get(client);
    return n == null ? 0 : n;
  }

  @Override
  public int remoteTotal() {
    return remoteTotal;
  }

  @Override
  public void source(Supplier<Map<String, Integer>> local) {
    this.local = local;
  }

  /** Publishes this gateway's counts, then reads everyone else's. */
  private void exchange() {
    try {
      publishAndRead();
    } catch (RuntimeException e) {
      // A failure must not cancel the periodic task: the next round tries again.
      store.health().failed("connection-counts", e);
    }
  }

  private void publishAndRead() {
    RedisAsyncCommands<byte[], byte[]> redis = commands();
    if (redis == null) {
      return;
    }
    Map<String, Integer> mine = local.get();
    Map<byte[], byte[]> fields = new HashMap<>();
    int total = 0;
    for (Map.Entry<String, Integer> e : mine.entrySet()) {
      fields.put(bytes(e.getKey()), bytes(String.valueOf(e.getValue())));
      total += e.getValue();
    }
    fields.put(TOTAL_FIELD, bytes(String.valueOf(total)));
    // No MULTI on the shared connection (it would swallow other callers' commands): overwrite,
    // then remove the clients that are gone; a reader never sees the hash empty meanwhile.
    List<byte[]> gone = new java.util.ArrayList<>();
    for (String before : published) {
      if (!mine.containsKey(before)) {
        gone.add(bytes(before));
      }
    }
    published = Set.copyOf(mine.keySet());
    redis.hset(ownKey, fields);
    if (!gone.isEmpty()) {
      redis.hdel(ownKey, gone.toArray(new byte[0][]));
    }
    redis.pexpire(ownKey, TTL_MS);
    redis
        .sadd(INSTANCES, new byte[][] {bytes(id)})
        .thenCompose(x -> redis.smembers(INSTANCES))
        .thenCompose(members -> readOthers(redis, members))
        .whenComplete(
            (x, e) -> {
              if (e != null) {
                store.health().failed("connection-counts", e);
              }
            });
  }

  private CompletableFuture<Void> readOthers(
      RedisAsyncCommands<byte[], byte[]> redis, Set<byte[]> members) {
    Map<String, Integer> counts = new HashMap<>();
    int[] total = {0};
    List<CompletableFuture<Void>> reads = new java.util.ArrayList<>();
    for (byte[] m : members) {
      String other = new String(m, StandardCharsets.UTF_8);
      if (other.equals(id)) {
        continue;
      }
      reads.add(
          redis
              .hgetall(bytes("bulwark:conns:" + other))
              .thenAccept(
                  all -> {
                    if (all.isEmpty()) {
                      forget(redis, m); // expired: that gateway is gone
                      return;
                    }
                    synchronized (counts) {
                      for (Map.Entry<byte[], byte[]> e : all.entrySet()) {
                        int n = parse(e.getValue());
                        if (java.util.Arrays.equals(e.getKey(), TOTAL_FIELD)) {
                          total[0] += n;
                        } else {
                          counts.merge(
                              new String(e.getKey(), StandardCharsets.UTF_8), n, Integer::sum);
                        }
                      }
                    }
                  })
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(reads.toArray(new CompletableFuture<?>[0]))
        .thenRun(
            () -> {
              synchronized (counts) {
                remote = Map.copyOf(counts);
                remoteTotal = total[0];
              }
            });
  }

  private static void forget(RedisAsyncCommands<byte[], byte[]> redis, byte[] instance) {
    byte[][] members = {instance};
    redis.srem(INSTANCES, members);
  }

  private static int parse(byte[] v) {
    try {
      return Integer.parseInt(new String(v, StandardCharsets.UTF_8));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private @Nullable RedisAsyncCommands<byte[], byte[]> commands() {
    StatefulRedisConnection<byte[], byte[]> c = store.connection();
    return c == null ? null : c.async();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
