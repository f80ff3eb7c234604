package dev.bulwark.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.store.IdempotencyStore;
import dev.bulwark.store.IdempotencyStoreContract;
import dev.bulwark.store.StoreConfig;
import dev.bulwark.store.Stores;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The idempotency contract on the shared Redis at 127.0.0.1:6379, under a random key prefix so that
 * parallel runs never meet; and what a claim does when Redis cannot be reached.
 */
class RedisIdempotencyStoreTest extends IdempotencyStoreContract {
  static final String URL = "redis://127.0.0.1:6379";

  private Stores stores;
  private IdempotencyStore store;

  static void assumeRedis() {
    try (Socket s = new Socket("127.0.0.1", 6379)) {
      // up
    } catch (java.io.IOException e) {
      Assumptions.assumeTrue(false, "no Redis on 127.0.0.1:6379 (.ci/run starts one)");
    }
  }

  static RedisStore connected(String url) throws InterruptedException {
    RedisStore s =
        (RedisStore)
            Stores.open(
                new StoreConfig(url, Duration.ofSeconds(1), 1000), 10, new SimpleMeterRegistry());
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (s.connection() == null && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return s;
  }

  @BeforeEach
  void open() throws Exception {
    assumeRedis();
    RedisStore redis = connected(URL);
    stores = redis;
    store = new RedisIdempotencyStore(redis, "bulwark-test-" + UUID.randomUUID() + ":");
  }

  @AfterEach
  void close() {
    if (stores != null) {
      stores.close();
    }
  }

  @Override
  protected IdempotencyStore store() {
    return store;
  }

  @Test
  void theClusterBackendHandsOutItsIdempotencyStore() {
    assertThat(stores.idempotency()).isInstanceOf(RedisIdempotencyStore.class);
  }

  @Test
  void anUnreachableRedisFailsTheClaimThroughItsStage() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (Stores down =
        Stores.open(
            new StoreConfig("redis://127.0.0.1:" + closedPort, Duration.ofMillis(200), 1000),
            10,
            new SimpleMeterRegistry())) {
      byte[] r = "r".getBytes(StandardCharsets.UTF_8);
      assertThatThrownBy(() -> await(down.idempotency().claim("k", r, Duration.ofMinutes(1))))
          .isInstanceOf(ExecutionException.class);
      assertThatThrownBy(() -> await(down.idempotency().release("k", r)))
          .isInstanceOf(ExecutionException.class);
    }
  }
}
