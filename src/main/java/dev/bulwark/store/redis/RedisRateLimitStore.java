package dev.bulwark.store.redis;

import dev.bulwark.store.BucketShape;
import dev.bulwark.store.Consumption;
import dev.bulwark.store.RateLimitStore;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Token buckets in Redis through Bucket4j (compare-and-swap on one key per bucket), expiring once a
 * bucket would be full again, so idle clients leave nothing behind.
 */
final class RedisRateLimitStore implements RateLimitStore {
  private static final byte[] PREFIX = "bulwark:".getBytes(StandardCharsets.UTF_8);

  private final RedisStore store;
  private final Duration timeout;
  private volatile @Nullable AsyncProxyManager<byte[]> buckets;

  RedisRateLimitStore(RedisStore store, Duration timeout) {
    this.store = store;
    this.timeout = timeout;
  }

  void connected(StatefulRedisConnection<byte[], byte[]> conn) {
    buckets =
        Bucket4jLettuce.casBasedBuilder(conn)
            .expirationAfterWrite(
                ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                    Duration.ofSeconds(10)))
            .requestTimeout(timeout)
            .maxRetries(3)
            .build()
            .asAsync();
  }

  @Override
  public void consume(String key, BucketShape shape, Consumer<Consumption> done) {
    AsyncProxyManager<byte[]> pm = buckets;
    if (pm == null) {
      store.health().failed("rate-limit", new IllegalStateException("not connected"));
      done.accept(Consumption.STORE_FAILED);
      return;
    }
    byte[] k = key(key);
    try {
      pm.builder()
          .build(k, shape.configuration())
          .tryConsumeAndReturnRemaining(1)
          .orTimeout(timeout.toMillis() * 2, java.util.concurrent.TimeUnit.MILLISECONDS)
          .whenComplete(
              (probe, failure) -> {
                if (failure != null || probe == null) {
                  store
                      .health()
                      .failed(
                          "rate-limit", failure == null ? new IllegalStateException() : failure);
                  done.accept(Consumption.STORE_FAILED);
                  return;
                }
                store.health().ok();
                done.accept(
                    new Consumption(
                        probe.isConsumed(),
                        probe.getRemainingTokens(),
                        probe.getNanosToWaitForRefill(),
                        probe.getNanosToWaitForReset()));
              });
    } catch (RuntimeException e) {
      store.health().failed("rate-limit", e);
      done.accept(Consumption.STORE_FAILED);
    }
  }

  private static byte[] key(String key) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[PREFIX.length + k.length];
    System.arraycopy(PREFIX, 0, out, 0, PREFIX.length);
    System.arraycopy(k, 0, out, PREFIX.length, k.length);
    return out;
  }
}
