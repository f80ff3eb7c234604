package dev.bulwark.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's own ES256 signing keys for identity assertions: generated at start, rotated on an
 * interval, the previous key still published so that assertions signed just before a rotation
 * verify. The public keys are served as a JWKS on the admin listener.
 */
public final class AssertionKeys {
  private volatile Pair keys;

  private record Pair(ECKey current, ECDSASigner signer, List<ECKey> published) {}

  private AssertionKeys(ECKey first) {
    this.keys = pair(first, List.of());
  }

  /** Returns keys with a freshly generated current key. */
  public static AssertionKeys generate() {
    return new AssertionKeys(newKey());
  }

  /** Makes a new current key; the old one stays published until the next rotation. */
  public synchronized void rotate() {
    Pair p = keys;
    keys = pair(newKey(), List.of(p.current()));
  }

  /** Returns the public JWKS (current and previous key). */
  public String jwks() {
    Pair p = keys;
    List<JWK> pub = new ArrayList<>();
    pub.add(p.current().toPublicJWK());
    for (ECKey k : p.published()) {
      pub.add(k.toPublicJWK());
    }
    return new JWKSet(pub).toString(true);
  }

  /** Returns the key id assertions are signed with now (it changes on rotation). */
  public String currentKeyId() {
    return keys.current().getKeyID();
  }

  /**
   * Signs an assertion about a caller for an upstream, valid for {@code ttlSeconds} (never past the
   * caller's token), identified by {@code jwtId}.
   */
  public String sign(Caller caller, String audience, String jwtId, long ttlSeconds) {
    return sign(caller, null, audience, jwtId, ttlSeconds);
  }

  /**
   * Signs an assertion about a caller and the client certificate its route verified (its names and
   * thumbprint in a {@code cert} claim), so that the certificate reaches the upstream only under
   * the gateway's signature.
   */
  public String sign(
      Caller caller,
      @Nullable CertificateIdentity certificate,
      String audience,
      String jwtId,
      long ttlSeconds) {
    Pair p = keys;
    long now = System.currentTimeMillis();
    long exp = Math.min(now + ttlSeconds * 1000, caller.expiresAt() * 1000);
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer("bulwark")
            .subject(caller.subject())
            .audience(audience)
            .issueTime(new Date(now))
            .expirationTime(new Date(Math.max(exp, now + 1000)))
            .jwtID(jwtId)
            .claim("idp", caller.issuer())
            .claim("roles", List.copyOf(caller.roles()))
            .claim("orgs", List.copyOf(caller.organisations()))
            .claim("scope", String.join(" ", caller.scopes()))
            .claim("cert", certificate == null ? null : certificate.claims())
            .build();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256)
                .keyID(p.current().getKeyID())
                .type(new JOSEObjectType("bulwark-assertion+jwt"))
                .build(),
            claims);
    try {
      jwt.sign(p.signer());
    } catch (JOSEException e) {
      throw new IllegalStateException("assertion signing failed", e);
    }
    return jwt.serialize();
  }

  private static Pair pair(ECKey current, List<ECKey> previous) {
    try {
      return new Pair(current, new ECDSASigner(current), List.copyOf(previous));
    } catch (JOSEException e) {
      throw new IllegalStateException("EC signing key unusable", e);
    }
  }

  private static ECKey newKey() {
    try {
      return new ECKeyGenerator(Curve.P_256)
          .keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.ES256)
          .keyID(UUID.randomUUID().toString())
          .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate an EC key", e);
    }
  }
}
