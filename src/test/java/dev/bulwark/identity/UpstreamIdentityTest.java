package dev.bulwark.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Assertions are signed once per caller and reused, never across a key rotation. */
class UpstreamIdentityTest {
  private static Caller caller(String subject) {
    return new Caller(
        subject,
        "idp",
        Set.of("admin"),
        Set.of(),
        Set.of("acme"),
        Map.of(),
        System.currentTimeMillis() / 1000 + 3600);
  }

  @Test
  void oneSignaturePerCallerReusedUntilTheKeyRotates() throws Exception {
    AssertionKeys keys = AssertionKeys.generate();
    UpstreamIdentity identity = new UpstreamIdentity(false, keys, "backend", 60);
    Caller alice = caller("alice");
    String first = identity.assertion(alice, "req-1");
    assertThat(identity.assertion(alice, "req-2")).isSameAs(first);
    String bob = identity.assertion(caller("bob"), "req-3");
    assertThat(bob).isNotEqualTo(first);
    assertThat(SignedJWT.parse(bob).getJWTClaimsSet().getSubject()).isEqualTo("bob");

    keys.rotate();
    String rotated = identity.assertion(alice, "req-4");
    assertThat(rotated).isNotEqualTo(first);
    SignedJWT jwt = SignedJWT.parse(rotated);
    ECKey current = (ECKey) JWKSet.parse(keys.jwks()).getKeyByKeyId(jwt.getHeader().getKeyID());
    assertThat(jwt.verify(new ECDSAVerifier(current))).isTrue();
    assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("alice");
    assertThat(jwt.getJWTClaimsSet().getExpirationTime().getTime())
        .isGreaterThan(System.currentTimeMillis() + 30_000);
  }
}
