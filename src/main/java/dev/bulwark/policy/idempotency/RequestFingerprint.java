package dev.bulwark.policy.idempotency;

import dev.bulwark.exchange.RequestView;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * What makes two requests with the same key the same request: the SHA-256 of the method, the
 * normalised path, the raw query, the SHA-256 of the body, and the values of the chosen headers
 * (each part length-prefixed, so no two different requests share an encoding).
 */
final class RequestFingerprint {
  private RequestFingerprint() {}

  /** Returns the fingerprint of a request and its body, in lower-case hex (64 characters). */
  static String of(RequestView request, byte[] body, List<String> headers) {
    MessageDigest d = sha256();
    part(d, request.method());
    part(d, request.path());
    String query = request.query();
    part(d, query == null ? "" : "?" + query);
    d.update(sha256().digest(body));
    for (String h : headers) {
      part(d, h);
      List<String> values = request.headers(h);
      d.update(intBytes(values.size()));
      for (String v : values) {
        part(d, v);
      }
    }
    return HexFormat.of().formatHex(d.digest());
  }

  /** Returns the lower-case hex SHA-256 of a text. */
  static String sha256Hex(String text) {
    return HexFormat.of().formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static void part(MessageDigest d, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    d.update(intBytes(b.length));
    d.update(b);
  }

  private static byte[] intBytes(int n) {
    return new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
