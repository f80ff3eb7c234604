package dev.bulwark.store.redis;

import dev.bulwark.store.NonceStore;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Nonces in Redis, one key each, set with {@code SET key 1 NX PX lifetime}: atomic on the server,
 * so of two gateways that see the same nonce at once exactly one is told it is new, and Redis
 * forgets the key when its lifetime ends. Keys live under {@code bulwark:nonce:}.
 */
final class RedisNonceStore implements NonceStore {
  private static final String PREFIX = "bulwark:nonce:";
  private static final byte[] ONE = {'1'};

  private final RedisStore store;

  RedisNonceStore(RedisStore store) {
    this.store = store;
  }

  @Override
  public CompletionStage<Boolean> remember(String key, Duration lifetime) {
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    StatefulRedisConnection<byte[], byte[]> c = store.connection();
    if (c == null) {
      IllegalStateException e = new IllegalStateException("redis store not connected");
      store.health().failed("nonce", e);
      done.completeExceptionally(e);
      return done;
    }
    long millis = Math.max(1, lifetime.toMillis());
    c.async()
        .set((PREFIX + key).getBytes(StandardCharsets.UTF_8), ONE, SetArgs.Builder.nx().px(millis))
        .whenComplete(
            (reply, failure) -> {
              if (failure != null) {
                store.health().failed("nonce", failure);
                done.completeExceptionally(failure);
                return;
              }
              store.health().ok();
              done.complete("OK".equals(reply));
            });
    return done;
  }
}
