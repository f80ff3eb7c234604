package dev.bulwark.store.redis;

import dev.bulwark.store.IdempotencyStore;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Idempotency records in Redis, one string per key, each step one Lua script so that it is atomic
 * on the server: a claim is {@code SET NX PX} (the lease), answered with the record already there
 * when it fails; completing and releasing compare the stored record with the caller's in-flight one
 * first, so a gateway whose lease ran out never overwrites or deletes the claim of another.
 */
final class RedisIdempotencyStore implements IdempotencyStore {
  /** Where every gateway keeps its records (the key the caller gives follows). */
  static final String PREFIX = "bulwark:";

  /** KEYS[1] the key; ARGV the in-flight record, the lease in ms. {1} claimed, else {0, record}. */
  static final String CLAIM =
      """
      if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
        return {1}
      end
      return {0, redis.call('GET', KEYS[1])}
      """;

  /** KEYS[1] the key; ARGV the caller's in-flight record, the finished one, its retention in ms. */
  static final String COMPLETE =
      """
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
        return 1
      end
      return 0
      """;

  /** KEYS[1] the key; ARGV the caller's in-flight record. */
  static final String RELEASE =
      """
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        redis.call('DEL', KEYS[1])
        return 1
      end
      return 0
      """;

  /** Converts a script's reply, or returns null when it has the wrong shape. */
  @FunctionalInterface
  private interface Reply<T> {
    @Nullable T convert(@Nullable Object reply);
  }

  private final RedisStore store;
  private final String prefix;

  RedisIdempotencyStore(RedisStore store, String prefix) {
    this.store = store;
    this.prefix = prefix;
  }

  @Override
  public CompletionStage<Claim> claim(String key, byte[] inFlight, Duration lease) {
    return run(
        CLAIM,
        ScriptOutputType.MULTI,
        key,
        new byte[][] {inFlight, bytes(String.valueOf(Math.max(1, lease.toMillis())))},
        RedisIdempotencyStore::toClaim);
  }

  @Override
  public CompletionStage<Boolean> complete(
      String key, byte[] inFlight, byte[] done, Duration retention) {
    return run(
        COMPLETE,
        ScriptOutputType.INTEGER,
        key,
        new byte[][] {inFlight, done, bytes(String.valueOf(Math.max(1, retention.toMillis())))},
        RedisIdempotencyStore::toBoolean);
  }

  @Override
  public CompletionStage<Boolean> release(String key, byte[] inFlight) {
    return run(
        RELEASE,
        ScriptOutputType.INTEGER,
        key,
        new byte[][] {inFlight},
        RedisIdempotencyStore::toBoolean);
  }

  private static @Nullable Claim toClaim(@Nullable Object reply) {
    if (!(reply instanceof List<?> l) || l.isEmpty() || !(l.get(0) instanceof Long claimed)) {
      return null;
    }
    if (claimed == 1) {
      return Claim.CLAIMED;
    }
    if (l.size() == 2 && l.get(1) instanceof byte[] existing) {
      return Claim.found(existing);
    }
    return null;
  }

  private static @Nullable Boolean toBoolean(@Nullable Object reply) {
    return reply instanceof Long n ? n == 1 : null;
  }

  /**
   * Runs a script by its digest (sent in full only when Redis does not know it yet) and converts
   * the reply; a failure, or a reply of the wrong shape, fails the stage and is counted.
   */
  private <T> CompletionStage<T> run(
      String script, ScriptOutputType type, String key, byte[][] args, Reply<T> convert) {
    CompletableFuture<T> done = new CompletableFuture<>();
    StatefulRedisConnection<byte[], byte[]> c = store.connection();
    if (c == null) {
      IllegalStateException e = new IllegalStateException("redis store not connected");
      store.health().failed("idempotency", e);
      done.completeExceptionally(e);
      return done;
    }
    RedisAsyncCommands<byte[], byte[]> redis = c.async();
    byte[][] keys = {bytes(prefix + key)};
    try {
      String sha = DIGESTS.computeIfAbsent(script, redis::digest); // Redis's name for it
      redis
          .<Object>evalsha(sha, type, keys, args)
          .whenComplete(
              (r, e) -> {
                if (e != null && isNoScript(e)) {
                  redis
                      .<Object>eval(script, type, keys, args)
                      .whenComplete((r2, e2) -> deliver(r2, e2, convert, done));
                } else {
                  deliver(r, e, convert, done);
                }
              });
    } catch (RuntimeException e) {
      store.health().failed("idempotency", e);
      done.completeExceptionally(e);
    }
    return done;
  }

  private <T> void deliver(
      @Nullable Object reply,
      @Nullable Throwable failure,
      Reply<T> convert,
      CompletableFuture<T> done) {
    T value = failure == null ? convert.convert(reply) : null;
    if (value == null) {
      Throwable cause = failure == null ? new IllegalStateException("bad reply") : failure;
      store.health().failed("idempotency", cause);
      done.completeExceptionally(cause);
      return;
    }
    store.health().ok();
    done.complete(value);
  }

  private static boolean isNoScript(Throwable e) {
    Throwable t = e;
    while (t != null) {
      if (t instanceof RedisNoScriptException
          || (t.getMessage() != null && t.getMessage().startsWith("NOSCRIPT"))) {
        return true;
      }
      t = t.getCause();
    }
    return false;
  }

  private static final java.util.Map<String, String> DIGESTS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
