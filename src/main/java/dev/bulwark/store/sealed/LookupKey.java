package dev.bulwark.store.sealed;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A keyed hash for finding a sealed record by a value without storing the value in clear (a blind
 * index): HMAC-SHA256 under a key derived from the keyring's first data key for one purpose, so
 * equal values give equal hashes (a unique index works on them) while the hash reveals nothing to
 * whoever reads the database without the master key, not even a guess checked offline.
 */
public final class LookupKey {
  private final byte[] key;

  LookupKey(byte[] key) {
    this.key = key.clone();
  }

  /** Returns the keyed hash of {@code value} (UTF-8) in lower-case hex (64 digits). */
  public String hash(String value) {
    return hash(value.getBytes(StandardCharsets.UTF_8));
  }

  /** Returns the keyed hash of {@code value} in lower-case hex (64 digits). */
  public String hash(byte[] value) {
    return HexFormat.of().formatHex(mac(key, value));
  }

  static byte[] mac(byte[] key, byte[] value) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(value);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
    }
  }

  /** Never shows the key. */
  @Override
  public String toString() {
    return "LookupKey";
  }
}
