package dev.bulwark.identity.totp;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.util.Locale;
import org.bouncycastle.util.encoders.Base32;

/**
 * A TOTP shared secret: 160 random bits (RFC 4226's recommended length, the size of an HMAC-SHA1
 * block's key), shown to the user in Base32 without padding. Immutable; its {@link #toString} never
 * shows the secret.
 */
public final class TotpSecret {
  /** The length of a generated secret, in bytes. */
  public static final int BYTES = 20;

  private final byte[] key;

  private TotpSecret(byte[] key) {
    if (key.length < 16 || key.length > 64) {
      throw new IllegalArgumentException("secret: " + key.length + " bytes (expected: 16..64)");
    }
    this.key = key.clone();
  }

  /** Returns a new random secret. */
  public static TotpSecret generate(SecureRandom random) {
    byte[] key = new byte[BYTES];
    random.nextBytes(key);
    return new TotpSecret(key);
  }

  /** Returns the secret of the given bytes (as stored). */
  public static TotpSecret of(byte[] key) {
    return new TotpSecret(requireNonNull(key, "key"));
  }

  /**
   * Returns the secret written in Base32 (any case, spaces and padding ignored).
   *
   * @throws IllegalArgumentException when it is not Base32 of 16 to 64 bytes
   */
  public static TotpSecret fromBase32(String text) {
    String t = text.replace(" ", "").replace("=", "").toUpperCase(Locale.ROOT);
    if (t.isEmpty() || t.length() > 128 || !t.chars().allMatch(TotpSecret::base32Char)) {
      throw new IllegalArgumentException("secret: not Base32");
    }
    int pad = (8 - t.length() % 8) % 8;
    try {
      return new TotpSecret(Base32.decode(t + "=".repeat(pad)));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("secret: not Base32", e);
    }
  }

  private static boolean base32Char(int c) {
    return (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7');
  }

  /** Returns the secret's bytes (a copy). */
  public byte[] bytes() {
    return key.clone();
  }

  /** Returns the secret in Base32 without padding, as authenticator apps take it. */
  public String base32() {
    return Base32.toBase32String(key).replace("=", "");
  }

  @Override
  public String toString() {
    return "TotpSecret[" + key.length + " bytes]";
  }
}
