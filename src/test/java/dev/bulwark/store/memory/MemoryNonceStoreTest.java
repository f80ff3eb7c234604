package dev.bulwark.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Nonces in memory, hostile cases first: a replay within the lifetime is seen, a nonce is new again
 * only once it expired, a full store of live nonces refuses instead of forgetting one, and two
 * threads presenting one nonce at once never both get it.
 */
class MemoryNonceStoreTest {
  private final AtomicLong clock = new AtomicLong(1_000_000_000_000L);

  private static boolean fresh(CompletionStage<Boolean> s) throws Exception {
    return s.toCompletableFuture().get();
  }

  @Test
  void aNonceIsNewOnceAndSeenUntilItExpires() throws Exception {
    MemoryNonceStore store = new MemoryNonceStore(10, clock::get);
    assertThat(fresh(store.remember("k:n1", Duration.ofSeconds(60)))).isTrue();
    assertThat(fresh(store.remember("k:n1", Duration.ofSeconds(60)))).isFalse();
    assertThat(fresh(store.remember("k:n2", Duration.ofSeconds(60)))).isTrue();
    clock.addAndGet(Duration.ofSeconds(59).toNanos());
    assertThat(fresh(store.remember("k:n1", Duration.ofSeconds(60)))).isFalse();
    clock.addAndGet(Duration.ofSeconds(2).toNanos());
    assertThat(fresh(store.remember("k:n1", Duration.ofSeconds(60)))).isTrue();
    assertThat(fresh(store.remember("k:n1", Duration.ofSeconds(60)))).isFalse();
    assertThat(store.size()).isEqualTo(2);
  }

  @Test
  void aFullStoreOfLiveNoncesRefusesANewOneAndForgetsNone() throws Exception {
    MemoryNonceStore store = new MemoryNonceStore(2, clock::get);
    assertThat(fresh(store.remember("a", Duration.ofSeconds(60)))).isTrue();
    assertThat(fresh(store.remember("b", Duration.ofSeconds(60)))).isTrue();
    assertThatThrownBy(() -> fresh(store.remember("c", Duration.ofSeconds(60))))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("nonce store full (2 nonces remembered)");
    assertThat(fresh(store.remember("a", Duration.ofSeconds(60)))).isFalse();
    clock.addAndGet(Duration.ofSeconds(61).toNanos());
    assertThat(fresh(store.remember("c", Duration.ofSeconds(60)))).isTrue();
    assertThat(store.size()).isEqualTo(1);
  }

  @Test
  void twoThreadsPresentingOneNonceNeverBothGetIt() throws Exception {
    MemoryNonceStore store = new MemoryNonceStore(100_000);
    AtomicInteger accepted = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    Runnable client =
        () -> {
          try {
            start.await();
            for (int i = 0; i < 20_000; i++) {
              if (fresh(store.remember("k:" + i, Duration.ofSeconds(60)))) {
                accepted.incrementAndGet();
              }
            }
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };
    Thread a = new Thread(client);
    Thread b = new Thread(client);
    a.start();
    b.start();
    start.countDown();
    a.join();
    b.join();
    assertThat(accepted).hasValue(20_000);
    assertThat(store.size()).isEqualTo(20_000);
  }

  @Test
  void aStageHandedOutCannotBeCompletedOtherwise() throws Exception {
    MemoryNonceStore store = new MemoryNonceStore(10, clock::get);
    CompletionStage<Boolean> first = store.remember("x", Duration.ofSeconds(60));
    first.toCompletableFuture().complete(false);
    first.toCompletableFuture().obtrudeValue(false);
    assertThat(fresh(store.remember("y", Duration.ofSeconds(60)))).isTrue();
    assertThat(fresh(first)).isTrue();
  }
}
