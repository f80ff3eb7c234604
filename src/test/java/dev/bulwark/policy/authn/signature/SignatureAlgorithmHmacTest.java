package dev.bulwark.policy.authn.signature;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * One HMAC object is kept keyed per thread: alternating keys on one thread must never verify a
 * signature under the key used before (a client's key standing in for another's).
 */
class SignatureAlgorithmHmacTest {
  private static Key key(int fill) {
    byte[] k = new byte[32];
    java.util.Arrays.fill(k, (byte) fill);
    return new SecretKeySpec(k, "HmacSHA256");
  }

  @Test
  void eachVerificationUsesItsOwnKeyWhateverTheThreadUsedBefore() throws Exception {
    SignatureAlgorithm hmac = SignatureAlgorithm.HMAC_SHA256;
    Key a = key(1);
    Key b = key(2);
    byte[] base = "\"@method\": GET".getBytes(StandardCharsets.US_ASCII);
    byte[] byA = hmac.sign(a, base);
    byte[] byB = hmac.sign(b, base);

    for (int i = 0; i < 3; i++) {
      assertThat(hmac.verify(a, base, byA)).isTrue();
      assertThat(hmac.verify(b, base, byA)).as("a's signature under b").isFalse();
      assertThat(hmac.verify(b, base, byB)).isTrue();
      assertThat(hmac.verify(a, base, byB)).as("b's signature under a").isFalse();
    }
    assertThat(byA).isNotEqualTo(byB);
  }
}
