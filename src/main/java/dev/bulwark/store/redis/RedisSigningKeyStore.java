package dev.bulwark.store.redis;

import dev.bulwark.store.SigningKeyRecord;
import dev.bulwark.store.SigningKeyStore;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.netty.util.concurrent.EventExecutorGroup;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Token-signing keys in a cluster: each gateway's private keys stay in its own memory (a restarted
 * gateway makes a new key), their public parts are shared in a Redis hash (kid to record) with a
 * version counter, and every gateway keeps a local copy of all of them, reloaded when the version
 * moves (polled every half second, or at once through {@link #refresh} when a token names an
 * unknown key id). Retired keys are deleted from the hash as they are seen.
 */
final class RedisSigningKeyStore implements SigningKeyStore {
  private static final long SYNC_MS = 500;
  private static final int MAX_KEYS = 256;
  private static final String PUT =
      "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return redis.call('INCR', KEYS[2])";

  private final RedisStore store;
  private final byte[] hashKey;
  private final byte[] versionKey;
  private final Map<String, SigningKeyRecord> own = new LinkedHashMap<>();
  private volatile List<SigningKeyRecord> shared = List.of();
  private volatile List<SigningKeyRecord> merged = List.of();
  private volatile @Nullable String version;
  private volatile @Nullable ScheduledFuture<?> sync;

  RedisSigningKeyStore(RedisStore store, String prefix) {
    this.store = store;
    this.hashKey = RedisRefreshTokenStore.bytes(prefix + "signing-keys");
    this.versionKey = RedisRefreshTokenStore.bytes(prefix + "signing-keys:version");
  }

  void startSync(EventExecutorGroup executor) {
    sync = executor.scheduleAtFixedRate(() -> reload(false), 0, SYNC_MS, TimeUnit.MILLISECONDS);
  }

  void stopSync() {
    ScheduledFuture<?> s = sync;
    if (s != null) {
      s.cancel(false);
    }
  }

  @Override
  public List<SigningKeyRecord> keys() {
    long now = System.currentTimeMillis();
    List<SigningKeyRecord> all = merged;
    for (SigningKeyRecord k : all) {
      if (!k.publishedAt(now)) {
        return all.stream().filter(r -> r.publishedAt(now)).toList();
      }
    }
    return all;
  }

  @Override
  public CompletionStage<Void> add(SigningKeyRecord key) {
    RedisAsyncCommands<byte[], byte[]> redis = commands();
    if (redis == null) {
      IllegalStateException e = new IllegalStateException("redis store not connected");
      store.health().failed("signing-key", e);
      return CompletableFuture.failedFuture(e);
    }
    return redis
        .<Long>eval(
            PUT,
            ScriptOutputType.INTEGER,
            new byte[][] {hashKey, versionKey},
            RedisRefreshTokenStore.bytes(key.kid()),
            RedisRefreshTokenStore.bytes(encode(key.publicOnly())))
        .thenAccept(
            v -> {
              synchronized (this) {
                own.put(key.kid(), key);
                merge();
              }
            })
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                store.health().failed("signing-key", e);
              } else {
                store.health().ok();
              }
            });
  }

  @Override
  public CompletionStage<Boolean> refresh() {
    return reload(true);
  }

  private CompletionStage<Boolean> reload(boolean force) {
    RedisAsyncCommands<byte[], byte[]> redis = commands();
    if (redis == null) {
      return CompletableFuture.completedFuture(false);
    }
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    redis
        .get(versionKey)
        .thenCompose(
            v -> {
              String seen = v == null ? "0" : new String(v, StandardCharsets.UTF_8);
              if (!force && seen.equals(version)) {
                return CompletableFuture.completedFuture(false);
              }
              return redis.hgetall(hashKey).thenApply(all -> replace(all, seen, redis));
            })
        .whenComplete(
            (changed, e) -> {
              if (e != null) {
                store.health().failed("signing-key-sync", e);
                done.complete(false);
              } else {
                done.complete(changed);
              }
            });
    return done;
  }

  private synchronized boolean replace(
      Map<byte[], byte[]> all, String seen, RedisAsyncCommands<byte[], byte[]> redis) {
    long now = System.currentTimeMillis();
    List<SigningKeyRecord> next = new ArrayList<>();
    List<byte[]> retired = new ArrayList<>();
    for (Map.Entry<byte[], byte[]> e : all.entrySet()) {
      String kid = new String(e.getKey(), StandardCharsets.UTF_8);
      SigningKeyRecord r = decode(kid, new String(e.getValue(), StandardCharsets.UTF_8));
      if (r == null || !r.publishedAt(now)) {
        retired.add(e.getKey());
      } else if (next.size() < MAX_KEYS) {
        next.add(r);
      }
    }
    if (!retired.isEmpty()) {
      redis.hdel(hashKey, retired.toArray(new byte[0][]));
    }
    boolean changed = !next.equals(shared);
    shared = List.copyOf(next);
    version = seen;
    merge();
    return changed;
  }

  /** Joins this process's own keys (with their private part) and the shared public ones. */
  private void merge() {
    long now = System.currentTimeMillis();
    own.values().removeIf(k -> !k.publishedAt(now));
    List<SigningKeyRecord> out = new ArrayList<>(own.values());
    for (SigningKeyRecord k : shared) {
      if (!own.containsKey(k.kid())) {
        out.add(k);
      }
    }
    merged = List.copyOf(out);
  }

  static String encode(SigningKeyRecord k) {
    return k.algorithm()
        + "|"
        + k.createdMillis()
        + "|"
        + k.signUntilMillis()
        + "|"
        + k.publishUntilMillis()
        + "|"
        + k.publicJwk();
  }

  static @Nullable SigningKeyRecord decode(String kid, String value) {
    String[] p = value.split("\\|", 5);
    if (p.length != 5) {
      return null;
    }
    try {
      return new SigningKeyRecord(
          kid, p[0], p[4], null, Long.parseLong(p[1]), Long.parseLong(p[2]), Long.parseLong(p[3]));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private @Nullable RedisAsyncCommands<byte[], byte[]> commands() {
    StatefulRedisConnection<byte[], byte[]> c = store.connection();
    return c == null ? null : c.async();
  }
}
