package dev.bulwark.identity.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.store.StoreHealth;
import dev.bulwark.store.Stores;
import dev.bulwark.store.sealed.MasterKey;
import dev.bulwark.store.sqlite.SqliteStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token contract on the embedded store with a data directory, and what survives a restart:
 * sessions (their rotation state), revocations and signing keys, none of it readable in the file.
 */
class SqliteTokenServiceTest extends TokenServiceContract {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path tmp;

  private final MasterKey key = MasterKey.parse(MasterKey.generateText(), "${env:K}");

  @Override
  protected Stores open() {
    return SqliteStores.open(
        tmp.resolve("data"), key, 10_000, 100, StoreHealth.unmetered("embedded"));
  }

  @Test
  void aRestartKeepsSessionsRevocationsAndSigningKeys() throws Exception {
    TokenService tokens = service(Duration.ofSeconds(10));
    TokenGrant kept = await(tokens.signIn(subject(account()), List.of("pwd"), ORIGIN));
    TokenGrant rotatedAway = kept;
    kept =
        ((RefreshOutcome.Granted) await(tokens.refresh(kept.refreshToken(), ORIGIN, SAME))).grant();
    TokenGrant revoked = await(tokens.signIn(subject(account()), List.of("pwd"), ORIGIN));
    await(tokens.signOut(revoked.refreshToken(), ORIGIN));
    String kid = SignedJWT.parse(kept.accessToken()).getHeader().getKeyID();

    stores.close();
    stores = open();
    tokens = service(Duration.ofSeconds(10));
    assertThat(stores.refreshTokens().revoked(revoked.sessionId())).isTrue();
    assertThat(stores.signingKeys().keys()).extracting(k -> k.kid()).contains(kid);
    TokenGrant after = await(tokens.signIn(subject(account()), List.of("pwd"), ORIGIN));
    assertThat(SignedJWT.parse(after.accessToken()).getHeader().getKeyID())
        .as("the same key signs after a restart")
        .isEqualTo(kid);
    clock.advance(Duration.ofSeconds(11));
    assertThat(await(tokens.refresh(rotatedAway.refreshToken(), ORIGIN, SAME)))
        .as("a token rotated away before the restart is still a reuse after it")
        .isEqualTo(new RefreshOutcome.Refused(RefreshOutcome.Reason.REUSED));

    stores.close();
    byte[] file = Files.readAllBytes(tmp.resolve("data").resolve("bulwark.db"));
    String text = new String(file, java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(text).doesNotContain("Mozilla/5.0 test", "192.0.2.7", "\"d\":");
    stores = open();
  }
}
