package dev.bulwark.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.store.IdempotencyStore;
import dev.bulwark.store.IdempotencyStoreContract;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The idempotency contract on the embedded store, and its bounds. */
class MemoryIdempotencyStoreTest extends IdempotencyStoreContract {
  private final MemoryIdempotencyStore store = new MemoryIdempotencyStore(1000, 64L << 20);

  @Override
  protected IdempotencyStore store() {
    return store;
  }

  @Test
  void claimsBeyondTheBoundFailInsteadOfEvictingOneInFlight() throws Exception {
    MemoryIdempotencyStore small = new MemoryIdempotencyStore(2, 1 << 20);
    byte[] r = "r".getBytes(StandardCharsets.UTF_8);
    await(small.claim("a", r, Duration.ofMinutes(1)));
    await(small.claim("b", r, Duration.ofMinutes(1)));
    assertThatThrownBy(() -> await(small.claim("c", r, Duration.ofMinutes(1))))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("in flight");
    assertThat(await(small.claim("a", r, Duration.ofMinutes(1))).claimed())
        .as("the claims held are still there")
        .isFalse();
  }

  @Test
  void expiredClaimsAreSweptToMakeRoom() throws Exception {
    MemoryIdempotencyStore small = new MemoryIdempotencyStore(1, 1 << 20);
    byte[] r = "r".getBytes(StandardCharsets.UTF_8);
    await(small.claim("a", r, Duration.ofMillis(50)));
    Thread.sleep(120);
    assertThat(await(small.claim("b", r, Duration.ofMinutes(1))).claimed()).isTrue();
    assertThat(small.claims()).isEqualTo(1);
  }

  @Test
  void completedRecordsStayWithinTheByteBound() throws Exception {
    MemoryIdempotencyStore small = new MemoryIdempotencyStore(1000, 64 * 1024);
    byte[] r = "r".getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 100; i++) {
      String k = "k" + i;
      await(small.claim(k, r, Duration.ofMinutes(1)));
      await(small.complete(k, r, new byte[4096], Duration.ofHours(1)));
    }
    int kept = 0;
    for (int i = 0; i < 100; i++) {
      kept += small.completed("k" + i) != null ? 1 : 0;
    }
    assertThat(kept).isLessThanOrEqualTo(64 * 1024 / 4096).isPositive();
  }
}
