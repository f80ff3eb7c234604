package dev.bulwark.identity.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.store.StoreConfig;
import dev.bulwark.store.StoreHealth;
import dev.bulwark.store.Stores;
import dev.bulwark.store.redis.RedisStore;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The token contract on the cluster store against the real Redis on 127.0.0.1:6379 (each test under
 * its own key prefix), and two gateway processes sharing it: a reuse seen by one revokes the
 * session for both, and each verifies the other's access tokens.
 */
class RedisTokenServiceTest extends TokenServiceContract {
  private final String prefix = "test:" + UUID.randomUUID() + ":";

  static Stores connect(String prefix) throws Exception {
    try (Socket s = new Socket("127.0.0.1", 6379)) {
      // reachable
    } catch (java.io.IOException e) {
      Assumptions.abort("no Redis on 127.0.0.1:6379 (.ci/run starts it)");
    }
    RedisStore store =
        RedisStore.connect(
            new StoreConfig("redis://127.0.0.1:6379", Duration.ofSeconds(2), 10_000),
            100,
            StoreHealth.unmetered("redis"),
            prefix);
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      try {
        await(store.refreshTokens().sessions("probe", System.currentTimeMillis()));
        break;
      } catch (java.util.concurrent.ExecutionException e) {
        assertThat(System.nanoTime()).as("connected within 10 s").isLessThan(deadline);
        Thread.sleep(20);
      }
    }
    return store;
  }

  @Override
  protected Stores open() throws Exception {
    return connect(prefix);
  }

  @Test
  void twoGatewaysSharingRedisDetectAReuseAcrossThemAndVerifyEachOthersTokens() throws Exception {
    try (Stores other = connect(prefix)) {
      TokenService a = service(Duration.ZERO);
      TokenService b = service(other, Duration.ZERO);
      TokenGrant first = await(a.signIn(subject(account()), List.of("pwd"), ORIGIN));
      RefreshOutcome onB = await(b.refresh(first.refreshToken(), ORIGIN, SAME));
      assertThat(onB).isInstanceOf(RefreshOutcome.Granted.class);
      TokenGrant second = ((RefreshOutcome.Granted) onB).grant();

      LocalIssuer verifierOnB = new LocalIssuer(config(), other, clock);
      String kidA = SignedJWT.parse(first.accessToken()).getHeader().getKeyID();
      java.util.concurrent.CompletableFuture<Boolean> reloaded =
          new java.util.concurrent.CompletableFuture<>();
      verifierOnB.reload(reloaded::complete);
      reloaded.get(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(verifierOnB.keys()).extracting(k -> k.getKeyID()).contains(kidA);

      assertThat(await(a.refresh(first.refreshToken(), ORIGIN, SAME)))
          .as("replayed on A after B rotated it")
          .isEqualTo(new RefreshOutcome.Refused(RefreshOutcome.Reason.REUSED));
      assertThat(await(b.refresh(second.refreshToken(), ORIGIN, SAME)))
          .isInstanceOf(RefreshOutcome.Refused.class);
      assertThat(stores.refreshTokens().revoked(first.sessionId())).isTrue();
      long deadline = System.nanoTime() + 3_000_000_000L;
      while (!other.refreshTokens().revoked(first.sessionId())) {
        assertThat(System.nanoTime()).as("B learns the revocation within 3 s").isLessThan(deadline);
        Thread.sleep(50);
      }
    }
  }

  private static TokensConfig config() {
    TokensConfig c = TokensConfig.OFF;
    return new TokensConfig(
        true,
        "https://auth.example.com",
        "api",
        c.accessTtl(),
        c.refreshTtl(),
        c.refreshIdle(),
        c.reuseGrace(),
        c.algorithm(),
        c.keyRotation(),
        c.maxSessions());
  }
}
