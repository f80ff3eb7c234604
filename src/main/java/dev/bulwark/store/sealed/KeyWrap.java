package dev.bulwark.store.sealed;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.SecretKey;
import org.jspecify.annotations.Nullable;

/**
 * Wraps a data key under a master key: version byte {@code 0x01}, a random 96-bit nonce, then the
 * AES-256-GCM ciphertext of the 32 key bytes and its tag (61 bytes); the associated data names the
 * purpose, the data key id and the master key id, so a wrapped key moved to another id does not
 * unwrap. Under a master key held by a {@link KeyService}, the service wraps the associated data
 * followed by the key bytes, and unwrapping checks that the associated data came back unchanged.
 */
final class KeyWrap {
  static final byte VERSION = 1;
  static final int WRAPPED_BYTES = 1 + AesGcm.NONCE_BYTES + AesGcm.KEY_BYTES + AesGcm.TAG_BYTES;

  private KeyWrap() {}

  static byte[] wrap(MasterKey master, String purpose, long keyId, SecretKey key) {
    KeyService service = master.service();
    if (service != null) {
      return service.wrap(bound(master, purpose, keyId, key.getEncoded()));
    }
    byte[] nonce = AesGcm.random(AesGcm.NONCE_BYTES);
    byte[] body =
        AesGcm.seal(master.secret(), nonce, aad(master, purpose, keyId), key.getEncoded());
    return ByteBuffer.allocate(1 + nonce.length + body.length)
        .put(VERSION)
        .put(nonce)
        .put(body)
        .array();
  }

  /** Returns the key, or null when the wrapped bytes do not open under this master key. */
  static @Nullable SecretKey unwrap(MasterKey master, String purpose, long keyId, byte[] wrapped) {
    KeyService service = master.service();
    if (service != null) {
      byte[] plain = service.unwrap(wrapped);
      byte[] aad = aad(master, purpose, keyId);
      if (plain.length != aad.length + AesGcm.KEY_BYTES
          || !MessageDigest.isEqual(Arrays.copyOf(plain, aad.length), aad)) {
        return null;
      }
      return AesGcm.key(Arrays.copyOfRange(plain, aad.length, plain.length));
    }
    if (wrapped.length != WRAPPED_BYTES || wrapped[0] != VERSION) {
      return null;
    }
    byte[] nonce = new byte[AesGcm.NONCE_BYTES];
    System.arraycopy(wrapped, 1, nonce, 0, nonce.length);
    int offset = 1 + nonce.length;
    byte[] raw =
        AesGcm.open(
            master.secret(),
            nonce,
            aad(master, purpose, keyId),
            wrapped,
            offset,
            wrapped.length - offset);
    return raw == null ? null : AesGcm.key(raw);
  }

  private static byte[] bound(MasterKey master, String purpose, long keyId, byte[] raw) {
    byte[] aad = aad(master, purpose, keyId);
    return ByteBuffer.allocate(aad.length + raw.length).put(aad).put(raw).array();
  }

  private static byte[] aad(MasterKey master, String purpose, long keyId) {
    return (purpose + "|" + keyId + "|" + master.id()).getBytes(StandardCharsets.US_ASCII);
  }
}
