package dev.bulwark.identity.tokens;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JWSAlgorithm;
import java.time.Duration;

/**
 * The {@code identity.tokens} section: whether the gateway issues tokens, the {@code iss} and
 * {@code aud} of its access tokens, their lifetime, the refresh families' absolute lifetime, idle
 * timeout and reuse grace, the signing algorithm, how long one key signs before the next takes
 * over, and how many sessions one account may hold.
 *
 * @param enabled whether the section is present (the gateway issues tokens)
 * @param issuer the {@code iss} of access tokens (the gateway's public URL)
 * @param audience the {@code aud} of access tokens
 * @param accessTtl how long an access token is valid (at most {@link #MAX_ACCESS_TTL})
 * @param refreshTtl the absolute lifetime of a refresh family (a sign-in session)
 * @param refreshIdle how long a family may go unused before it ends
 * @param reuseGrace how long a token just rotated away may be presented again and get the same
 *     successor (zero: never; the second presentation is a reuse)
 * @param algorithm the signing algorithm of new keys
 * @param keyRotation how long one key signs before a new one takes over
 * @param maxSessions how many live sessions one account may have (the oldest is revoked beyond)
 */
public record TokensConfig(
    boolean enabled,
    String issuer,
    String audience,
    Duration accessTtl,
    Duration refreshTtl,
    Duration refreshIdle,
    Duration reuseGrace,
    Algorithm algorithm,
    Duration keyRotation,
    int maxSessions) {

  /** The longest access-token lifetime allowed; keys stay published this long after retiring. */
  public static final Duration MAX_ACCESS_TTL = Duration.ofHours(1);

  /** The clock skew verifiers allow; added to how long a retired key stays published. */
  public static final Duration SKEW = Duration.ofSeconds(30);

  /** No token issuing. */
  public static final TokensConfig OFF =
      new TokensConfig(
          false,
          "https://bulwark.invalid",
          "bulwark",
          Duration.ofMinutes(5),
          Duration.ofDays(30),
          Duration.ofDays(7),
          Duration.ofSeconds(10),
          Algorithm.ES256,
          Duration.ofDays(30),
          50);

  public TokensConfig {
    requireNonNull(issuer, "issuer");
    requireNonNull(audience, "audience");
    requireNonNull(algorithm, "algorithm");
    if (accessTtl.isNegative() || accessTtl.isZero() || accessTtl.compareTo(MAX_ACCESS_TTL) > 0) {
      throw new IllegalArgumentException(
          "access-ttl: " + accessTtl + " (expected: > 0 and <= " + MAX_ACCESS_TTL + ")");
    }
    if (reuseGrace.isNegative()) {
      throw new IllegalArgumentException("reuse-grace: " + reuseGrace + " (expected: >= 0)");
    }
  }

  /** How long a revoked session is remembered: until its last access token has expired. */
  public Duration keepRevoked() {
    return MAX_ACCESS_TTL.plus(SKEW);
  }

  /** The signing algorithms of the gateway's keys. */
  public enum Algorithm {
    /** ECDSA on P-256 with SHA-256 (the default). */
    ES256(JWSAlgorithm.ES256),
    /** Ed25519 signatures. */
    EdDSA(JWSAlgorithm.EdDSA);

    private final JWSAlgorithm jws;

    Algorithm(JWSAlgorithm jws) {
      this.jws = jws;
    }

    /** Returns the JOSE algorithm. */
    public JWSAlgorithm jws() {
      return jws;
    }
  }
}
