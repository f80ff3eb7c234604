package dev.bulwark.policy.bans;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.exchange.CidrSet;
import dev.bulwark.observe.SecurityLog;
import dev.bulwark.policy.Refusal;
import dev.bulwark.policy.Stage;
import dev.bulwark.store.memory.MemoryBanStore;
import dev.bulwark.testing.FakeExchange;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The gateway-wide ban policy: its edge check, its strike counting and its connection admission.
 */
class BanPolicyTest {
  private static final BansConfig THREE_STRIKES =
      new BansConfig(
          false,
          List.of(),
          List.of(
              new BansConfig.Rule(
                  "auth-failures",
                  Set.of(401),
                  3,
                  Duration.ofMinutes(1),
                  Duration.ofMinutes(10),
                  Duration.ofHours(1))),
          1000);

  private final MemoryBanStore store = new MemoryBanStore(1000, 1000);

  private BanPolicy policy(BansConfig config) {
    return new BanPolicy(
        config,
        new BanRules(
            config, CidrSet.empty(), store, SecurityEvents.of(new SecurityLog(line -> {}))));
  }

  private static FakeExchange answered(String client, int status) {
    return FakeExchange.get("/login").client(client).upstream(status).run();
  }

  @Test
  void aClientWithoutABanGoesOnAndItsConnectionIsKept() {
    BanPolicy bans = policy(THREE_STRIKES);
    assertThat(bans.check("192.0.2.7")).isNull();
    assertThat(bans.admits("192.0.2.7")).isTrue();
    assertThat(bans.stage()).isEqualTo(Stage.BANS);
    assertThat(bans.stage().edge()).isTrue();
  }

  @Test
  void theThirdStrikeBansAndTheNextCheckRefusesWith403AndTheSecondsLeft() {
    BanPolicy bans = policy(THREE_STRIKES);
    for (int i = 0; i < 3; i++) {
      bans.ended(answered("192.0.2.7", 401).exchange());
    }
    Refusal refusal = java.util.Objects.requireNonNull(bans.check("192.0.2.7"));
    assertThat(refusal.by()).isEqualTo("ban");
    assertThat(refusal.drop()).isFalse();
    assertThat(refusal.denial().status()).isEqualTo(403);
    assertThat(refusal.denial().error()).isEqualTo("client temporarily blocked");
    assertThat(refusal.retryAfterSeconds()).isBetween(590L, 600L);
    assertThat(bans.admits("192.0.2.7")).as("deny mode answers, never closes").isTrue();
    assertThat(bans.check("192.0.2.8")).as("another client").isNull();
  }

  @Test
  void statusesNoRuleWatchesAreNotStrikes() {
    BanPolicy bans = policy(THREE_STRIKES);
    for (int i = 0; i < 10; i++) {
      bans.ended(answered("192.0.2.7", 404).exchange());
    }
    assertThat(bans.check("192.0.2.7")).isNull();
  }

  @Test
  void theBansOwnRefusalsAreNotCountedAsStrikes() {
    BanPolicy bans = policy(THREE_STRIKES);
    for (int i = 0; i < 5; i++) {
      FakeExchange fx = answered("192.0.2.7", 401);
      fx.exchange().decide("ban", "deny", "client banned");
      bans.ended(fx.exchange());
    }
    assertThat(bans.check("192.0.2.7")).isNull();
  }

  @Test
  void underDropABannedClientsConnectionIsRefusedAndItsRequestDropped() {
    BansConfig drop =
        new BansConfig(
            true, THREE_STRIKES.exempt(), THREE_STRIKES.rules(), THREE_STRIKES.maxBans());
    BanPolicy bans = policy(drop);
    for (int i = 0; i < 3; i++) {
      bans.ended(answered("192.0.2.7", 401).exchange());
    }
    assertThat(bans.admits("192.0.2.7")).isFalse();
    assertThat(bans.admits("192.0.2.8")).isTrue();
    Refusal refusal = java.util.Objects.requireNonNull(bans.check("192.0.2.7"));
    assertThat(refusal.drop()).isTrue();
  }

  @Test
  void theDescriptionNamesTheActionAndEachRule() {
    assertThat(policy(THREE_STRIKES).describe())
        .isEqualTo("deny auth-failures([401] x3/1m -> 10m..1h)");
    assertThat(policy(new BansConfig(false, List.of(), List.of(), 10)).describe())
        .isEqualTo("deny, no automatic rules");
  }
}
