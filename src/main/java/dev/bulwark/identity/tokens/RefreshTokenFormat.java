package dev.bulwark.identity.tokens;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The opaque refresh token: 48 random-derived bytes in base64url (64 characters), a 16-byte family
 * handle (the same for every token of a family, never shown elsewhere) and a 32-byte secret. The
 * session id is a hash of the handle, so the store finds a family from the token without keeping
 * the handle, and knowing a session id (access tokens carry it) reveals nothing of any token. A
 * successor keeps the handle and takes {@code HMAC-SHA256(secret, nonce)} as its secret: whoever
 * holds the token just rotated away and sees the rotation's nonce again (within the grace) gets the
 * same successor, and nobody else can compute it. The store keeps SHA-256 hashes of whole tokens.
 */
final class RefreshTokenFormat {
  static final int HANDLE_BYTES = 16;
  static final int SECRET_BYTES = 32;
  static final int TOKEN_CHARS = 64;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final byte[] SID_LABEL = "bulwark refresh sid\0".getBytes(StandardCharsets.UTF_8);

  /** A parsed token: its handle and secret. */
  record Parsed(byte[] handle, byte[] secret) {
    String sid() {
      return sidOf(handle);
    }
  }

  private RefreshTokenFormat() {}

  /** Returns a new token of a new family. */
  static String mint() {
    byte[] raw = new byte[HANDLE_BYTES + SECRET_BYTES];
    RANDOM.nextBytes(raw);
    return B64.encodeToString(raw);
  }

  /** Returns a fresh nonce for one rotation (base64url of 32 random bytes). */
  static String nonce() {
    byte[] n = new byte[32];
    RANDOM.nextBytes(n);
    return B64.encodeToString(n);
  }

  /** Parses a token; null when it is not exactly one of the gateway's refresh tokens in shape. */
  static @Nullable Parsed parse(String token) {
    if (token.length() != TOKEN_CHARS) {
      return null;
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_';
      if (!ok) {
        return null;
      }
    }
    byte[] raw = B64D.decode(token);
    return new Parsed(
        Arrays.copyOfRange(raw, 0, HANDLE_BYTES),
        Arrays.copyOfRange(raw, HANDLE_BYTES, raw.length));
  }

  /** Returns the session id of a family handle. */
  static String sidOf(byte[] handle) {
    MessageDigest d = sha256();
    d.update(SID_LABEL);
    d.update(handle);
    return B64.encodeToString(Arrays.copyOf(d.digest(), 16));
  }

  /** Returns the SHA-256 of a whole token, in hex (what the store keeps). */
  static String hash(String token) {
    return HexFormat.of().formatHex(sha256().digest(token.getBytes(StandardCharsets.US_ASCII)));
  }

  /** Returns the successor of a token under a rotation's nonce. */
  static String successor(Parsed token, String nonce) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(token.secret(), "HmacSHA256"));
      byte[] next = mac.doFinal(nonce.getBytes(StandardCharsets.US_ASCII));
      return B64.encodeToString(
          ByteBuffer.allocate(HANDLE_BYTES + SECRET_BYTES).put(token.handle()).put(next).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
