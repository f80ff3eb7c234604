package dev.bulwark.identity.tokens;

import com.nimbusds.jose.jwk.JWK;
import dev.bulwark.store.RefreshTokenStore;
import dev.bulwark.store.SigningKeyStore;
import dev.bulwark.store.Stores;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;

/**
 * The gateway's own access tokens as the bearer provider verifies them: the configured {@code iss}
 * and {@code aud}, the keys published now (read from the store's local copy, no network fetch), and
 * whether a session was revoked (a local copy too). A token naming a key id not known here asks the
 * store once to reload the shared keys (a cluster peer's new key), at most one reload at a time and
 * one per {@link #MIN_RELOAD_MILLIS}.
 */
public final class LocalIssuer {
  /** The shortest time between two key reloads asked for by unknown key ids. */
  static final long MIN_RELOAD_MILLIS = 200;

  private final TokensConfig config;
  private final TokenKeys keys;
  private final SigningKeyStore keyStore;
  private final RefreshTokenStore sessions;
  private final Clock clock;
  private boolean reloading;
  private long lastReload = Long.MIN_VALUE / 2;

  public LocalIssuer(TokensConfig config, Stores stores, Clock clock) {
    this.config = config;
    this.keyStore = stores.signingKeys();
    this.keys = new TokenKeys(keyStore, clock);
    this.sessions = stores.refreshTokens();
    this.clock = clock;
  }

  /** Returns the {@code iss} of the gateway's access tokens. */
  public String issuer() {
    return config.issuer();
  }

  /** Returns the {@code aud} of the gateway's access tokens. */
  public String audience() {
    return config.audience();
  }

  /** Returns the public keys that verify tokens now. */
  public List<JWK> keys() {
    return keys.verificationKeys(clock.millis());
  }

  /** Returns whether the session a token names was revoked. Never does I/O. */
  public boolean revoked(String sessionId) {
    return sessions.revoked(sessionId);
  }

  /**
   * Reloads the shared keys when no reload is running or ran just now; {@code done} hears whether
   * the keys changed (at once, or on the store's thread).
   */
  public void reload(Consumer<Boolean> done) {
    long now = System.nanoTime();
    synchronized (this) {
      if (reloading || now - lastReload < MIN_RELOAD_MILLIS * 1_000_000) {
        done.accept(false);
        return;
      }
      reloading = true;
      lastReload = now;
    }
    keyStore
        .refresh()
        .whenComplete(
            (changed, e) -> {
              synchronized (this) {
                reloading = false;
              }
              done.accept(e == null && Boolean.TRUE.equals(changed));
            });
  }
}
