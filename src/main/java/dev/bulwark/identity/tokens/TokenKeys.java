package dev.bulwark.identity.tokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import dev.bulwark.store.SigningKeyRecord;
import dev.bulwark.store.SigningKeyStore;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's token-signing keys over the store: the newest own key of the configured algorithm
 * signs until its {@code key-rotation} is over, then a new key is made (and kept in the store
 * before it signs anything); every key stays published until the longest access token it can have
 * signed has expired ({@link TokensConfig#MAX_ACCESS_TTL} plus clock skew after it stopped
 * signing). The state is the store's: any number of these over one store agree.
 */
public final class TokenKeys {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_CACHED = 32;

  private final SigningKeyStore store;
  private final Clock clock;
  private final AtomicReference<@Nullable CompletableFuture<Signer>> making =
      new AtomicReference<>();
  private final ConcurrentHashMap<String, Signer> signers = new ConcurrentHashMap<>();
  private volatile Parsed parsed = new Parsed(List.of(), List.of());

  /** A key ready to sign: its id, algorithm and signer. */
  public record Signer(String kid, JWSAlgorithm algorithm, JWSSigner signer) {}

  private record Parsed(List<SigningKeyRecord> source, List<Published> keys) {}

  private record Published(JWK key, long publishUntilMillis) {}

  public TokenKeys(SigningKeyStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /**
   * Completes with the key to sign with now, making (and storing) a new one when none of the
   * configured algorithm is within its signing period.
   */
  public CompletionStage<Signer> signer(TokensConfig config) {
    long now = clock.millis();
    SigningKeyRecord active = active(config, now);
    if (active != null) {
      try {
        return CompletableFuture.completedFuture(signerOf(active));
      } catch (IllegalStateException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    return make(config, now);
  }

  /** Makes a new signing key when none is within its signing period; completes when done. */
  public CompletionStage<Boolean> rotateIfDue(TokensConfig config) {
    long now = clock.millis();
    if (active(config, now) != null) {
      return CompletableFuture.completedFuture(false);
    }
    return make(config, now).thenApply(s -> true);
  }

  private @Nullable SigningKeyRecord active(TokensConfig config, long now) {
    SigningKeyRecord best = null;
    for (SigningKeyRecord k : store.keys()) {
      if (k.privateJwk() != null
          && k.algorithm().equals(config.algorithm().jws().getName())
          && k.createdMillis() <= now
          && now < k.signUntilMillis()
          && (best == null || k.createdMillis() > best.createdMillis())) {
        best = k;
      }
    }
    return best;
  }

  private CompletionStage<Signer> make(TokensConfig config, long now) {
    CompletableFuture<Signer> mine = new CompletableFuture<>();
    CompletableFuture<Signer> running = making.compareAndExchange(null, mine);
    if (running != null) {
      return running;
    }
    try {
      JWK key = generate(config.algorithm());
      SigningKeyRecord record =
          new SigningKeyRecord(
              key.getKeyID(),
              config.algorithm().jws().getName(),
              key.toPublicJWK().toJSONString(),
              key.toJSONString(),
              now,
              now + config.keyRotation().toMillis(),
              now
                  + config.keyRotation().toMillis()
                  + TokensConfig.MAX_ACCESS_TTL.toMillis()
                  + TokensConfig.SKEW.toMillis());
      store
          .add(record)
          .whenComplete(
              (v, failure) -> {
                making.set(null);
                if (failure != null) {
                  mine.completeExceptionally(failure);
                } else {
                  try {
                    mine.complete(signerOf(record));
                  } catch (IllegalStateException e) {
                    mine.completeExceptionally(e);
                  }
                }
              });
    } catch (IllegalStateException e) {
      making.set(null);
      mine.completeExceptionally(e);
    }
    return mine;
  }

  private Signer signerOf(SigningKeyRecord record) {
    Signer cached = signers.get(record.kid());
    if (cached != null) {
      return cached;
    }
    String priv = record.privateJwk();
    if (priv == null) {
      throw new IllegalStateException("key " + record.kid() + " has no private part here");
    }
    try {
      JWK jwk = JWK.parse(priv);
      JWSSigner signer =
          jwk instanceof OctetKeyPair okp ? new Ed25519Signer(okp) : new ECDSASigner((ECKey) jwk);
      Signer s = new Signer(record.kid(), JWSAlgorithm.parse(record.algorithm()), signer);
      if (signers.size() >= MAX_CACHED) {
        signers.clear();
      }
      signers.put(record.kid(), s);
      return s;
    } catch (ParseException | JOSEException | ClassCastException e) {
      throw new IllegalStateException("signing key " + record.kid() + " is unusable", e);
    }
  }

  /**
   * Returns the public keys that verify tokens at {@code nowMillis}: every key still published (own
   * and, in a cluster, the other gateways'), parsed once per change of the store's set.
   */
  public List<JWK> verificationKeys(long nowMillis) {
    List<SigningKeyRecord> source = store.keys();
    Parsed p = parsed;
    if (!p.source().equals(source)) {
      List<Published> keys = new ArrayList<>();
      for (SigningKeyRecord r : source) {
        try {
          keys.add(new Published(JWK.parse(r.publicJwk()).toPublicJWK(), r.publishUntilMillis()));
        } catch (ParseException e) {
          // A record that does not parse verifies nothing; the others still do.
        }
      }
      p = new Parsed(source, List.copyOf(keys));
      parsed = p;
    }
    List<JWK> out = new ArrayList<>(p.keys().size());
    for (Published k : p.keys()) {
      if (k.publishUntilMillis() > nowMillis) {
        out.add(k.key());
      }
    }
    return out;
  }

  /** Returns the store the keys live in. */
  SigningKeyStore store() {
    return store;
  }

  /**
   * Returns a JWKS of {@code other} (the assertion keys' JWKS document) with the token keys
   * published now added.
   */
  public static String jwks(SigningKeyStore store, String other) {
    List<JWK> all = new ArrayList<>();
    try {
      all.addAll(JWKSet.parse(other).getKeys());
    } catch (ParseException e) {
      // The assertion keys' own document always parses; without it, the token keys alone.
    }
    long now = System.currentTimeMillis();
    for (SigningKeyRecord r : store.keys()) {
      if (r.publishedAt(now)) {
        try {
          all.add(JWK.parse(r.publicJwk()).toPublicJWK());
        } catch (ParseException e) {
          // skipped, as in verificationKeys
        }
      }
    }
    return new JWKSet(all).toString(true);
  }

  private static JWK generate(TokensConfig.Algorithm algorithm) {
    byte[] id = new byte[12];
    RANDOM.nextBytes(id);
    String kid = "bt-" + Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    try {
      if (algorithm == TokensConfig.Algorithm.EdDSA) {
        return new OctetKeyPairGenerator(Curve.Ed25519)
            .keyUse(KeyUse.SIGNATURE)
            .algorithm(JWSAlgorithm.EdDSA)
            .keyID(kid)
            .generate();
      }
      return new ECKeyGenerator(Curve.P_256)
          .keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.ES256)
          .keyID(kid)
          .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate a " + algorithm + " key", e);
    }
  }
}
