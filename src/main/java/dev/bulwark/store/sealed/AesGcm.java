package dev.bulwark.store.sealed;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/** AES-256-GCM with a 96-bit nonce and a 128-bit tag, the one cipher of sealed values. */
final class AesGcm {
  static final int KEY_BYTES = 32;
  static final int NONCE_BYTES = 12;
  static final int TAG_BYTES = 16;

  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * One cipher object per thread, initialised anew for every value: looking the transformation up
   * and expanding the same key again for each value was a third of the audit writer's time per
   * record (the JDK's AES keeps the expanded key while the key stays the same).
   */
  private static final ThreadLocal<Cipher> CIPHER =
      ThreadLocal.withInitial(
          () -> {
            try {
              return Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException("AES-256-GCM is not available in this JVM", e);
            }
          });

  private AesGcm() {}

  /** Returns a fresh random AES-256 key. */
  static SecretKey newKey() {
    return key(random(KEY_BYTES));
  }

  /** Returns {@code n} random bytes. */
  static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  static SecretKey key(byte[] raw) {
    return new SecretKeySpec(raw, "AES");
  }

  /** Returns the ciphertext followed by its tag. */
  static byte[] seal(SecretKey key, byte[] nonce, byte[] aad, byte[] plain) {
    return seal(key, nonce, aad, plain, 0, plain.length);
  }

  /** Returns the ciphertext of {@code plain[offset, offset+length)} followed by its tag. */
  static byte[] seal(
      SecretKey key, byte[] nonce, byte[] aad, byte[] plain, int offset, int length) {
    try {
      Cipher c = CIPHER.get();
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
      c.updateAAD(aad);
      return c.doFinal(plain, offset, length);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-GCM is not available in this JVM", e);
    }
  }

  /** Returns the plaintext, or null when the ciphertext, tag, nonce, key or aad do not match. */
  static byte @Nullable [] open(
      SecretKey key, byte[] nonce, byte[] aad, byte[] sealed, int offset, int length) {
    if (length < TAG_BYTES) {
      return null;
    }
    try {
      Cipher c = CIPHER.get();
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
      c.updateAAD(aad);
      return c.doFinal(sealed, offset, length);
    } catch (AEADBadTagException e) {
      return null;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-GCM is not available in this JVM", e);
    }
  }
}
