package dev.bulwark.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every backend of the store SPI does, run against each one (embedded, and Redis for real):
 * the same answers through the same async convention, and the caller's bounds applied.
 */
public abstract class StoresContract {
  /** The ban bound every contract store is opened with (the caller's, never a default). */
  protected static final long MAX_BANS = 3;

  private static final Duration MINUTE = Duration.ofMinutes(1);
  private static final Duration DAY = Duration.ofDays(1);

  /** The stores under test, open for one test. */
  protected Stores stores;

  /** Opens a fresh backend holding at most {@code maxBans} bans, ready to answer. */
  protected abstract Stores open(long maxBans) throws Exception;

  @BeforeEach
  void openStores() throws Exception {
    stores = open(MAX_BANS);
  }

  /** Releases what {@link #open} started beside the stores, once they are closed. */
  protected void afterClose() throws Exception {}

  @AfterEach
  void closeStores() throws Exception {
    stores.close();
    afterClose();
  }

  /** Waits for a stage the way a test may (a request never does). */
  protected static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static String unique(String prefix) {
    return prefix + UUID.randomUUID();
  }

  @Test
  void aBucketLetsItsCapacityThroughThenRefusesUntilATokenRefills() throws Exception {
    BucketShape threePerHour = new BucketShape(3, 3, Duration.ofHours(1));
    String key = unique("contract:");
    for (int i = 0; i < 3; i++) {
      Consumption c = await(stores.rateLimits().consume(key, threePerHour));
      assertThat(c.allowed()).as("request %d", i + 1).isTrue();
      assertThat(c.remaining()).isEqualTo(2 - i);
    }
    Consumption refused = await(stores.rateLimits().consume(key, threePerHour));
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.failed()).isFalse();
    assertThat(refused.nanosToRefill())
        .isBetween(Duration.ofMinutes(19).toNanos(), Duration.ofMinutes(20).toNanos());
    assertThat(await(stores.rateLimits().consume(unique("other:"), threePerHour)).allowed())
        .as("another key has its own bucket")
        .isTrue();
  }

  @Test
  void aBanHoldsUntilLiftedAndIsListedMeanwhile() throws Exception {
    BanStore bans = stores.bans();
    long before = System.currentTimeMillis();
    Ban ban = await(bans.ban("192.0.2.10", MINUTE, DAY, DAY, "testing", "admin"));
    assertThat(ban.untilMillis() - before)
        .isBetween(MINUTE.toMillis() - 5_000, MINUTE.toMillis() + 5_000);
    assertThat(ban.by()).isEqualTo("admin");
    assertThat(ban.reason()).isEqualTo("testing");
    assertThat(bans.active("192.0.2.10")).isEqualTo(ban);
    assertThat(bans.list()).containsExactly(ban);
    assertThat(await(bans.unban("192.0.2.10"))).isTrue();
    assertThat(bans.active("192.0.2.10")).isNull();
    assertThat(bans.list()).isEmpty();
    assertThat(await(bans.unban("192.0.2.10"))).as("nothing left to lift").isFalse();
  }

  @Test
  void aRepeatedBanWithinTheRepeatMemoryLastsTwiceAsLongUpToTheCallersMaximum() throws Exception {
    BanStore bans = stores.bans();
    Duration max = Duration.ofMinutes(3);
    long[] expectedMinutes = {1, 2, 3};
    for (int i = 0; i < expectedMinutes.length; i++) {
      long before = System.currentTimeMillis();
      Ban ban = await(bans.ban("192.0.2.11", MINUTE, max, DAY, "again", "rule"));
      assertThat(ban.repeat()).isEqualTo(i);
      assertThat(ban.untilMillis() - before)
          .as("ban %d", i + 1)
          .isBetween(
              Duration.ofMinutes(expectedMinutes[i]).toMillis() - 5_000,
              Duration.ofMinutes(expectedMinutes[i]).toMillis() + 5_000);
      await(bans.unban("192.0.2.11"));
    }
  }

  @Test
  void strikesCountPerRuleAndAddressAndForgettingThemStartsOver() throws Exception {
    BanStore bans = stores.bans();
    String rule = unique("rule-");
    for (long i = 1; i <= 4; i++) {
      assertThat(await(bans.strike(rule, "192.0.2.12", MINUTE))).isEqualTo(i);
    }
    assertThat(await(bans.strike(rule, "192.0.2.13", MINUTE))).isEqualTo(1);
    assertThat(await(bans.strike(unique("rule-"), "192.0.2.12", MINUTE))).isEqualTo(1);
    await(bans.forgetStrikes(rule, "192.0.2.12"));
    assertThat(await(bans.strike(rule, "192.0.2.12", MINUTE))).isEqualTo(1);
  }

  @Test
  void theBanListIsBoundedByTheCallersLimit() throws Exception {
    BanStore bans = stores.bans();
    for (int i = 1; i <= MAX_BANS; i++) {
      await(bans.ban("192.0.2." + (20 + i), MINUTE, DAY, DAY, "r", "rule"));
    }
    assertThatThrownBy(() -> await(bans.ban("192.0.2.99", MINUTE, DAY, DAY, "r", "rule")))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("ban list full");
    assertThat(bans.list()).hasSize((int) MAX_BANS);
    assertThat(bans.active("192.0.2.99")).isNull();
  }

  @Test
  void anOpenStoreThatAnswersIsUp() throws Exception {
    await(stores.rateLimits().consume(unique("up:"), new BucketShape(1, 1, MINUTE)));
    assertThat(stores.health().up()).isTrue();
    assertThat(stores.health().failures()).isZero();
  }
}
