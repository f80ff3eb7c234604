package dev.bulwark.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.store.IdempotencyStore.Claim;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every idempotency store does, run against each backend (embedded, and Redis for real): one
 * claim wins, only its owner settles it, leases and retentions run out.
 */
public abstract class IdempotencyStoreContract {
  private static final Duration MINUTE = Duration.ofMinutes(1);

  /** Returns the store under test. */
  protected abstract IdempotencyStore store();

  protected static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static String key() {
    return "idem:" + UUID.randomUUID();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theFirstClaimWinsAndLaterOnesFindItsRecord() throws Exception {
    String k = key();
    assertThat(await(store().claim(k, bytes("mine"), MINUTE)).claimed()).isTrue();
    Claim other = await(store().claim(k, bytes("theirs"), MINUTE));
    assertThat(other.claimed()).isFalse();
    assertThat(other.existing()).isEqualTo(bytes("mine"));
  }

  @Test
  void completingReplacesTheClaimWithTheFinishedRecord() throws Exception {
    String k = key();
    await(store().claim(k, bytes("mine"), MINUTE));
    assertThat(await(store().complete(k, bytes("mine"), bytes("done"), MINUTE))).isTrue();
    assertThat(await(store().claim(k, bytes("again"), MINUTE)).existing()).isEqualTo(bytes("done"));
    assertThat(await(store().release(k, bytes("mine"))))
        .as("a completed record is not released by its old claim")
        .isFalse();
  }

  @Test
  void onlyTheOwnerSettlesAClaim() throws Exception {
    String k = key();
    await(store().claim(k, bytes("mine"), MINUTE));
    assertThat(await(store().complete(k, bytes("forged"), bytes("done"), MINUTE))).isFalse();
    assertThat(await(store().release(k, bytes("forged")))).isFalse();
    assertThat(await(store().claim(k, bytes("x"), MINUTE)).existing()).isEqualTo(bytes("mine"));
    assertThat(await(store().release(k, bytes("mine")))).isTrue();
    assertThat(await(store().claim(k, bytes("next"), MINUTE)).claimed())
        .as("released: the next request claims it")
        .isTrue();
  }

  @Test
  void aLapsedLeaseLetsAnotherClaimAndTheOldOwnerCannotSettle() throws Exception {
    String k = key();
    await(store().claim(k, bytes("crashed"), Duration.ofMillis(150)));
    Thread.sleep(400);
    assertThat(await(store().claim(k, bytes("next"), MINUTE)).claimed()).isTrue();
    assertThat(await(store().complete(k, bytes("crashed"), bytes("late"), MINUTE))).isFalse();
    assertThat(await(store().claim(k, bytes("x"), MINUTE)).existing()).isEqualTo(bytes("next"));
  }

  @Test
  void aCompletedRecordIsForgottenAfterItsRetention() throws Exception {
    String k = key();
    await(store().claim(k, bytes("mine"), MINUTE));
    await(store().complete(k, bytes("mine"), bytes("done"), Duration.ofMillis(200)));
    Thread.sleep(500);
    assertThat(await(store().claim(k, bytes("later"), MINUTE)).claimed()).isTrue();
  }

  @Test
  void ofAHundredConcurrentClaimsExactlyOneWins() throws Exception {
    String k = key();
    List<CompletableFuture<Claim>> all = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      CompletableFuture<Claim> f = new CompletableFuture<>();
      all.add(f);
      byte[] mine = bytes("claim-" + i);
      Thread t =
          new Thread(
              () ->
                  store()
                      .claim(k, mine, MINUTE)
                      .whenComplete(
                          (c, e) -> {
                            if (e != null) {
                              f.completeExceptionally(e);
                            } else {
                              f.complete(c);
                            }
                          }));
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    int won = 0;
    for (CompletableFuture<Claim> f : all) {
      won += f.get(5, TimeUnit.SECONDS).claimed() ? 1 : 0;
    }
    assertThat(won).isEqualTo(1);
  }

  @Test
  void aLargeRecordIsKeptWhole() throws Exception {
    String k = key();
    byte[] big = new byte[1 << 20];
    big[big.length - 1] = 7;
    await(store().claim(k, bytes("mine"), MINUTE));
    assertThat(await(store().complete(k, bytes("mine"), big, MINUTE))).isTrue();
    assertThat(await(store().claim(k, bytes("x"), MINUTE)).existing()).isEqualTo(big);
  }
}
