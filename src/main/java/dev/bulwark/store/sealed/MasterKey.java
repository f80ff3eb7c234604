package dev.bulwark.store.sealed;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The key that wraps data keys: either 32 bytes read from a secret reference (base64 text), known
 * in sealed data by its id (the first 8 bytes of an HMAC of a fixed label under the key, which
 * reveals nothing of the key), or a key held by a {@link KeyService} that wraps and unwraps itself;
 * named in messages by its reference, never by its bytes.
 */
public final class MasterKey {
  private final @Nullable SecretKey key;
  private final @Nullable KeyService service;
  private final String id;
  private final String reference;

  private MasterKey(byte[] raw, String reference) {
    this.key = AesGcm.key(raw);
    this.service = null;
    this.id = idOf(raw);
    this.reference = reference;
  }

  private MasterKey(KeyService service) {
    this.key = null;
    this.service = service;
    this.id = requireNonNull(service.id(), "service.id()");
    this.reference = requireNonNull(service.reference(), "service.reference()");
  }

  /** Returns the master key that {@code service} holds (its bytes never reach this process). */
  public static MasterKey held(KeyService service) {
    return new MasterKey(requireNonNull(service, "service"));
  }

  /**
   * Returns the key that {@code text} (base64 of 32 bytes, as {@code openssl rand -base64 32}
   * writes) holds, read from {@code reference}.
   *
   * @throws IllegalArgumentException with a message that names the reference, never the text
   */
  public static MasterKey parse(String text, String reference) {
    requireNonNull(text, "text");
    requireNonNull(reference, "reference");
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(text.strip());
    } catch (IllegalArgumentException e) {
      raw = new byte[0];
    }
    if (raw.length != AesGcm.KEY_BYTES) {
      throw new IllegalArgumentException(
          reference
              + ": not a master key (expected: 32 random bytes in base64, as written by"
              + " 'bulwark keys generate FILE' or 'openssl rand -base64 32')");
    }
    return new MasterKey(raw, reference);
  }

  /** Returns a new random key in the text form {@link #parse} reads. */
  public static String generateText() {
    return Base64.getEncoder().encodeToString(AesGcm.random(AesGcm.KEY_BYTES));
  }

  private static String idOf(byte[] raw) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(raw, "HmacSHA256"));
      byte[] h = mac.doFinal("bulwark master key id v1".getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(h, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
    }
  }

  /** Returns the key's id: 16 hex digits, stored beside what it wraps. */
  public String id() {
    return id;
  }

  /** Returns where the key was read from (a secret reference), for messages. */
  public String reference() {
    return reference;
  }

  /** Returns whether a key service holds the key (and wraps and unwraps itself). */
  public boolean remote() {
    return service != null;
  }

  /** Returns the key service, or null for a key read from a secret reference. */
  @Nullable KeyService service() {
    return service;
  }

  SecretKey secret() {
    SecretKey k = key;
    if (k == null) {
      throw new IllegalStateException(this + ": held by a key service, which alone uses it");
    }
    return k;
  }

  /** Names the key by its reference and id, never its bytes. */
  @Override
  public String toString() {
    return "master key " + id + " (" + reference + ")";
  }
}
