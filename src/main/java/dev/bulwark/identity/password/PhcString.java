package dev.bulwark.identity.password;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * An Argon2id hash in the PHC string format, {@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash} with
 * salt and hash in Base64 without padding: what an account stores. Parsing is strict and bounded (a
 * damaged or hostile record is refused, never trusted to size the work).
 *
 * @param cost the Argon2 cost it was made with
 * @param salt the salt
 * @param hash the hash
 */
record PhcString(Argon2Cost cost, byte[] salt, byte[] hash) {
  /** Argon2 version 1.3 (0x13), the only one written or read. */
  static final int VERSION = 19;

  /** The longest encoded hash read. */
  static final int MAX_CHARS = 512;

  private static final String PREFIX = "$argon2id$v=" + VERSION + "$";
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  PhcString {
    requireNonNull(cost, "cost");
    salt = salt.clone();
    hash = hash.clone();
    if (salt.length < 8 || salt.length > 64) {
      throw new IllegalArgumentException("salt: " + salt.length + " bytes (expected: 8..64)");
    }
    if (hash.length < 16 || hash.length > 64) {
      throw new IllegalArgumentException("hash: " + hash.length + " bytes (expected: 16..64)");
    }
  }

  @Override
  public byte[] salt() {
    return salt.clone();
  }

  @Override
  public byte[] hash() {
    return hash.clone();
  }

  /** Returns the PHC string. */
  String encode() {
    return PREFIX
        + "m="
        + cost.memoryKib()
        + ",t="
        + cost.iterations()
        + ",p="
        + cost.parallelism()
        + '$'
        + B64.encodeToString(salt)
        + '$'
        + B64.encodeToString(hash);
  }

  /**
   * Returns the hash that {@code encoded} says, or null when it is not a valid Argon2id v19 one.
   */
  static @Nullable PhcString parse(String encoded) {
    if (encoded.length() > MAX_CHARS || !encoded.startsWith(PREFIX)) {
      return null;
    }
    String[] parts = encoded.substring(PREFIX.length()).split("\\$", -1);
    if (parts.length != 3) {
      return null;
    }
    String[] params = parts[0].split(",", -1);
    if (params.length != 3
        || !params[0].startsWith("m=")
        || !params[1].startsWith("t=")
        || !params[2].startsWith("p=")) {
      return null;
    }
    int m = number(params[0].substring(2));
    int t = number(params[1].substring(2));
    int p = number(params[2].substring(2));
    byte[] salt = base64(parts[1]);
    byte[] hash = base64(parts[2]);
    if (m < 0 || t < 0 || p < 0 || salt == null || hash == null) {
      return null;
    }
    try {
      return new PhcString(new Argon2Cost(m, t, p), salt, hash);
    } catch (IllegalArgumentException outOfBounds) {
      return null;
    }
  }

  /** Returns a decimal number of at most 9 digits without sign or leading zero, or -1. */
  private static int number(String s) {
    if (s.isEmpty() || s.length() > 9 || (s.length() > 1 && s.charAt(0) == '0')) {
      return -1;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
    }
    return Integer.parseInt(s);
  }

  private static byte @Nullable [] base64(String s) {
    if (s.isEmpty() || s.indexOf('=') >= 0) {
      return null;
    }
    try {
      return B64D.decode(s);
    } catch (IllegalArgumentException notBase64) {
      return null;
    }
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof PhcString other
        && cost.equals(other.cost)
        && Arrays.equals(salt, other.salt)
        && Arrays.equals(hash, other.hash);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * cost.hashCode() + Arrays.hashCode(salt)) + Arrays.hashCode(hash);
  }

  @Override
  public String toString() {
    return "PhcString[" + cost + "]";
  }
}
