package dev.bulwark.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.store.Ban;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Embedded bans: doubling on repeat up to the cap, expiry, strike windows, a bounded list. */
class MemoryBanStoreTest {
  private static final Duration MIN15 = Duration.ofMinutes(15);
  private static final Duration DAY = Duration.ofDays(1);

  @Test
  void repeatedBansDoubleUpToTheCap() throws Exception {
    AtomicLong now = new AtomicLong(1_000_000);
    MemoryBanStore store = new MemoryBanStore(1000, 1000, now::get);
    long[] expectedMinutes = {15, 30, 60, 120, 240, 480, 960, 1440, 1440};
    for (long minutes : expectedMinutes) {
      Ban b =
          store
              .ban("192.0.2.1", MIN15, DAY, Duration.ofDays(2), "test", "rule")
              .toCompletableFuture()
              .get();
      assertThat(b.untilMillis() - now.get()).isEqualTo(Duration.ofMinutes(minutes).toMillis());
      assertThat(store.active("192.0.2.1")).isNotNull();
      now.addAndGet(b.untilMillis() - now.get() + 1);
      assertThat(store.active("192.0.2.1")).as("expired").isNull();
    }
  }

  @Test
  void unbanLiftsAndListShowsOnlyActiveBans() throws Exception {
    AtomicLong now = new AtomicLong(1_000_000);
    MemoryBanStore store = new MemoryBanStore(1000, 1000, now::get);
    store.ban("192.0.2.1", MIN15, DAY, DAY, "a", "admin").toCompletableFuture().get();
    store
        .ban("2001:db8::1", Duration.ofSeconds(1), DAY, DAY, "b", "admin")
        .toCompletableFuture()
        .get();
    assertThat(store.list()).hasSize(2);
    now.addAndGet(2000);
    assertThat(store.list()).extracting(Ban::address).containsExactly("192.0.2.1");
    assertThat(store.unban("192.0.2.1").toCompletableFuture().get()).isTrue();
    assertThat(store.unban("192.0.2.1").toCompletableFuture().get()).isFalse();
    assertThat(store.active("192.0.2.1")).isNull();
  }

  @Test
  void strikesCountWithinTheirWindowPerRuleAndAddress() {
    MemoryBanStore store = new MemoryBanStore(1000, 1000);
    long last = 0;
    for (int i = 0; i < 5; i++) {
      last = strike(store, "auth", "192.0.2.1");
    }
    assertThat(last).isEqualTo(5);
    assertThat(strike(store, "other-rule", "192.0.2.1")).isEqualTo(1);
    assertThat(strike(store, "auth", "192.0.2.2")).isEqualTo(1);
    store.forgetStrikes("auth", "192.0.2.1");
    assertThat(strike(store, "auth", "192.0.2.1")).as("forgotten").isEqualTo(1);
  }

  /** Strikes once; the embedded store has answered by the time the call returns. */
  private static long strike(MemoryBanStore store, String rule, String address) {
    return store.strike(rule, address, Duration.ofMinutes(5)).toCompletableFuture().getNow(-1L);
  }

  @Test
  void theBanListIsBounded() throws Exception {
    MemoryBanStore store = new MemoryBanStore(1000, 3);
    for (int i = 1; i <= 3; i++) {
      store.ban("192.0.2." + i, MIN15, DAY, DAY, "r", "rule").toCompletableFuture().get();
    }
    assertThatThrownBy(
            () -> store.ban("192.0.2.9", MIN15, DAY, DAY, "r", "rule").toCompletableFuture().get())
        .hasMessageContaining("ban list full");
    assertThat(store.list()).hasSize(3);
  }

  @Test
  void aBanSaysTheWholeSecondsLeftForRetryAfterAtLeastOne() {
    Ban ban = new Ban("192.0.2.7", 1_000_000, "r", 0, "rule");
    assertThat(ban.secondsLeft(1_000_000 - 900_000)).isEqualTo(900);
    assertThat(ban.secondsLeft(1_000_000 - 1_500)).isEqualTo(2);
    assertThat(ban.secondsLeft(1_000_000 - 1)).isEqualTo(1);
    assertThat(ban.secondsLeft(1_000_000 + 5)).isEqualTo(1);
  }
}
