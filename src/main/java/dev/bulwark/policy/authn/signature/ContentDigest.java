package dev.bulwark.policy.authn.signature;

import dev.bulwark.policy.authn.signature.StructuredFields.Item;
import dev.bulwark.policy.authn.signature.StructuredFields.Malformed;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The {@code Content-Digest} field (RFC 9530) of a body: {@code sha-256} and {@code sha-512} are
 * checked, other algorithms are ignored (the older ones are not collision resistant), and at least
 * one checked algorithm must be present. Every checked digest present must match.
 */
public final class ContentDigest {
  /** What a received digest said about the body. */
  public enum Check {
    MATCH,
    MISMATCH,
    NO_SUPPORTED_ALGORITHM,
    MALFORMED
  }

  private static final int MAX_CHARS = 1024;

  private ContentDigest() {}

  /** Returns the field value for a body: {@code sha-256=:...:} (or {@code sha-512}). */
  public static String of(byte[] body, String algorithm) {
    if (!algorithm.equals("sha-256") && !algorithm.equals("sha-512")) {
      throw new IllegalArgumentException(algorithm + " (expected: sha-256 or sha-512)");
    }
    return algorithm + "=:" + Base64.getEncoder().encodeToString(digest(algorithm, body)) + ":";
  }

  /** Checks the received field lines against the body. */
  public static Check check(List<String> lines, byte[] body) {
    Map<String, Object> dict;
    try {
      String joined = String.join(", ", lines);
      dict = StructuredFields.dictionary(joined, MAX_CHARS, 8);
    } catch (Malformed e) {
      return Check.MALFORMED;
    }
    boolean checked = false;
    for (String alg : List.of("sha-256", "sha-512")) {
      Object v = dict.get(alg);
      if (v == null) {
        continue;
      }
      if (!(v instanceof Item i) || !(i.value() instanceof byte[] got)) {
        return Check.MALFORMED;
      }
      if (!MessageDigest.isEqual(digest(alg, body), got)) {
        return Check.MISMATCH;
      }
      checked = true;
    }
    return checked ? Check.MATCH : Check.NO_SUPPORTED_ALGORITHM;
  }

  private static byte[] digest(String algorithm, byte[] body) {
    try {
      return MessageDigest.getInstance(algorithm.equals("sha-512") ? "SHA-512" : "SHA-256")
          .digest(body);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no " + algorithm, e);
    }
  }
}
