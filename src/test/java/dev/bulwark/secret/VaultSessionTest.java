package dev.bulwark.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.testing.TestVault;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Vault session's lifetime against a server that follows Vault's HTTP API: the token is renewed
 * before its TTL ends, a method that can log in does so again when its token ends, the last good
 * value serves while Vault is away (and the listener hears), and a wrong secret is never papered
 * over by it.
 */
class VaultSessionTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  @SuppressWarnings("NullAway.Init")
  private TestVault vault;

  private final List<String> heard = new CopyOnWriteArrayList<>();
  private final VaultSession.Listener listener =
      new VaultSession.Listener() {
        @Override
        public void unavailable(String address, String reason) {
          heard.add("down " + reason);
        }

        @Override
        public void recovered(String address) {
          heard.add("up " + address);
        }
      };

  private static final VaultReference KEY = VaultReference.parse("secret/data/bulwark#jwt-key");

  @BeforeEach
  void start() throws Exception {
    vault = TestVault.start(dir);
    vault.put("secret", "bulwark", Map.of("jwt-key", "first"));
    vault.approle("role", "secret");
  }

  @AfterEach
  void stop() throws Exception {
    vault.close();
  }

  private VaultSettings settings(VaultAuth auth) throws Exception {
    return new VaultSettings(
        URI.create(vault.address()),
        Files.readString(vault.caFile()),
        auth,
        Duration.ofSeconds(2),
        Duration.ofMinutes(1),
        null);
  }

  @Test
  void theTokenIsRenewedBeforeItsTtlEndsAndKeepsReading() throws Exception {
    String token = vault.token(Duration.ofSeconds(2), true);
    try (VaultSession s = VaultSession.open(settings(new VaultAuth.Token(token)), listener)) {
      Thread.sleep(3_500);
      assertThat(vault.renewals()).isGreaterThanOrEqualTo(2);
      s.beginRound();
      assertThat(s.read(KEY)).isEqualTo("first");
      assertThat(heard).isEmpty();
    }
  }

  @Test
  void anAppRoleLogsInAgainWhenItsTokenIsRevoked() throws Exception {
    try (VaultSession s =
        VaultSession.open(settings(new VaultAuth.AppRole("approle", "role", "secret")), listener)) {
      assertThat(s.read(KEY)).isEqualTo("first");
      vault.expireAll();
      s.beginRound();
      assertThat(s.read(KEY)).isEqualTo("first");
      assertThat(vault.logins()).isEqualTo(2);
    }
  }

  @Test
  void anAppRoleLogsInAgainWhenItsTokenReachesItsMaxTtl() throws Exception {
    vault.ttls(Duration.ofSeconds(2), Duration.ofSeconds(3));
    try (VaultSession s =
        VaultSession.open(settings(new VaultAuth.AppRole("approle", "role", "secret")), listener)) {
      Thread.sleep(4_500);
      assertThat(vault.logins()).isGreaterThanOrEqualTo(2);
      s.beginRound();
      assertThat(s.read(KEY)).isEqualTo("first");
    }
  }

  @Test
  void theLastGoodValueServesWhileVaultIsDownAndTheListenerHearsOncePerRound() throws Exception {
    String token = vault.token(Duration.ZERO, false);
    vault.put("secret", "other", Map.of("a", "1", "b", "2"));
    VaultReference a = VaultReference.parse("secret/data/other#a");
    VaultReference b = VaultReference.parse("secret/data/other#b");
    try (VaultSession s = VaultSession.open(settings(new VaultAuth.Token(token)), listener)) {
      assertThat(s.read(KEY)).isEqualTo("first");
      assertThat(s.read(a)).isEqualTo("1");
      assertThat(s.read(b)).isEqualTo("2");
      vault.failWith(503);
      s.beginRound();
      assertThat(s.read(KEY)).isEqualTo("first");
      assertThat(s.read(a)).isEqualTo("1");
      assertThat(s.read(b)).isEqualTo("2");
      assertThat(heard).singleElement().asString().startsWith("down").contains("answered 503");
      vault.failWith(0);
      vault.put("secret", "bulwark", Map.of("jwt-key", "second"));
      s.beginRound();
      assertThat(s.read(KEY)).isEqualTo("second");
      assertThat(heard).last().isEqualTo("up " + vault.address());
    }
  }

  @Test
  void aWrongSecretIsNeverPaperedOverByTheLastGoodValue() throws Exception {
    String token = vault.token(Duration.ZERO, false);
    try (VaultSession s = VaultSession.open(settings(new VaultAuth.Token(token)), listener)) {
      assertThat(s.read(KEY)).isEqualTo("first");
      vault.put("secret", "bulwark", Map.of("renamed", "x"));
      s.beginRound();
      VaultException e = catchThrowableOfType(VaultException.class, () -> s.read(KEY));
      assertThat(e.reason()).isEqualTo(VaultException.Reason.BAD_SECRET);
      vault.deleteCurrent("secret", "bulwark");
      s.beginRound();
      e = catchThrowableOfType(VaultException.class, () -> s.read(KEY));
      assertThat(e.reason()).isEqualTo(VaultException.Reason.BAD_SECRET);
    }
  }

  @Test
  void nothingReadYetAndVaultDownIsAnError() throws Exception {
    String token = vault.token(Duration.ZERO, false);
    try (VaultSession s = VaultSession.open(settings(new VaultAuth.Token(token)), listener)) {
      vault.failWith(500);
      VaultException e = catchThrowableOfType(VaultException.class, () -> s.read(KEY));
      assertThat(e.reason()).isEqualTo(VaultException.Reason.UNAVAILABLE);
      assertThat(e.getMessage())
          .isEqualTo(
              "secret/data/bulwark: Vault at "
                  + vault.address()
                  + ": Vault answered 500 (Vault is"
                  + " sealed)");
    }
  }

  @Test
  void referencesAreMountDataPathAndField() {
    VaultReference r = VaultReference.parse("kv/team-a/data/apps/bulwark#api.key");
    assertThat(r.mount()).isEqualTo("kv/team-a");
    assertThat(r.path()).isEqualTo("apps/bulwark");
    assertThat(r.field()).isEqualTo("api.key");
    assertThat(VaultReference.problem("secret/bulwark#x")).isNotNull();
    assertThat(VaultReference.problem("secret/data/bulwark")).isNotNull();
    assertThat(VaultReference.problem("secret/data/a/../b#x")).isNotNull();
    assertThat(VaultReference.problem("secret/data/a b#x")).isNotNull();
    assertThat(VaultReference.problem("secret/data/" + "a".repeat(600) + "#x")).isNotNull();
  }
}
