package dev.bulwark.policy.authn.signature;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The signature algorithms a key may be bound to, by their RFC 9421 registry names. A key is bound
 * to exactly one of them, so a signature is never checked with an algorithm its sender chose
 * (algorithm confusion: an HMAC secret never verifies as Ed25519, a public key never becomes an
 * HMAC secret). ECDSA signatures are the fixed 64-byte {@code r || s} form the RFC requires.
 */
public enum SignatureAlgorithm {
  HMAC_SHA256("hmac-sha256", 32),
  ED25519("ed25519", 64),
  ECDSA_P256_SHA256("ecdsa-p256-sha256", 64);

  /** HMAC secrets shorter than this are refused (the hash's output size). */
  public static final int MIN_HMAC_SECRET_BYTES = 32;

  private final String registryName;
  private final int signatureBytes;

  SignatureAlgorithm(String registryName, int signatureBytes) {
    this.registryName = registryName;
    this.signatureBytes = signatureBytes;
  }

  /** Returns the name in the HTTP Signature Algorithms registry, such as {@code ed25519}. */
  public String registryName() {
    return registryName;
  }

  /** Returns whether the key is a shared secret (else a public key verifies). */
  public boolean symmetric() {
    return this == HMAC_SHA256;
  }

  /** Returns the algorithm of a registry name, or null when it is none of these. */
  public static @Nullable SignatureAlgorithm byName(String name) {
    for (SignatureAlgorithm a : values()) {
      if (a.registryName.equals(name)) {
        return a;
      }
    }
    return null;
  }

  /** Returns the registry names, for messages. */
  public static String names() {
    StringBuilder sb = new StringBuilder();
    for (SignatureAlgorithm a : values()) {
      sb.append(sb.length() == 0 ? "" : ", ").append(a.registryName);
    }
    return sb.toString();
  }

  /**
   * Reads the verification key of this algorithm from its configured text: the secret's bytes for
   * HMAC (at least 32, and never a PEM block: a public key is no secret), a PEM public key for the
   * others (on the right curve).
   *
   * @throws IllegalArgumentException with a one-line reason when the text is no such key
   */
  public Key verificationKey(String text) {
    if (symmetric()) {
      if (text.contains("-----BEGIN")) {
        throw new IllegalArgumentException(
            "a PEM block (expected: a shared secret for hmac-sha256; a public key as an HMAC"
                + " secret is known to everyone)");
      }
      byte[] secret = text.getBytes(StandardCharsets.UTF_8);
      if (secret.length < MIN_HMAC_SECRET_BYTES) {
        throw new IllegalArgumentException(
            secret.length + " bytes (expected: at least " + MIN_HMAC_SECRET_BYTES + ")");
      }
      return new SecretKeySpec(secret, "HmacSHA256");
    }
    if (text.contains("PRIVATE KEY-----")) {
      throw new IllegalArgumentException(
          "a private key (expected: the client's PEM public key; the private key stays with the"
              + " client)");
    }
    byte[] der = pem(text, "PUBLIC KEY");
    try {
      PublicKey k =
          KeyFactory.getInstance(this == ED25519 ? "Ed25519" : "EC")
              .generatePublic(new X509EncodedKeySpec(der));
      checkCurve(k);
      return k;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "not " + (this == ED25519 ? "an Ed25519" : "a P-256") + " public key in PEM", e);
    }
  }

  /**
   * Reads the signing key of this algorithm: the secret's bytes for HMAC, a PEM PKCS#8 private key
   * for the others.
   *
   * @throws IllegalArgumentException with a one-line reason when the text is no such key
   */
  public Key signingKey(String text) {
    if (symmetric()) {
      return verificationKey(text);
    }
    byte[] der = pem(text, "PRIVATE KEY");
    try {
      PrivateKey k =
          KeyFactory.getInstance(this == ED25519 ? "Ed25519" : "EC")
              .generatePrivate(new PKCS8EncodedKeySpec(der));
      if (this == ECDSA_P256_SHA256
          && ((java.security.interfaces.ECPrivateKey) k)
                  .getParams()
                  .getCurve()
                  .getField()
                  .getFieldSize()
              != 256) {
        throw new IllegalArgumentException("not on P-256");
      }
      return k;
    } catch (GeneralSecurityException | ClassCastException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "not " + (this == ED25519 ? "an Ed25519" : "a P-256") + " private key in PEM (PKCS#8)",
          e);
    }
  }

  private void checkCurve(PublicKey k) {
    if (this == ECDSA_P256_SHA256) {
      ECParameterSpec p = ((ECPublicKey) k).getParams();
      if (p.getCurve().getField().getFieldSize() != 256) {
        throw new IllegalArgumentException("not on P-256");
      }
    }
  }

  private static byte[] pem(String text, String label) {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int b = text.indexOf(begin);
    int e = text.indexOf(end);
    if (b < 0 || e < b) {
      throw new IllegalArgumentException(
          "no " + begin + " block (expected: a PEM " + label.toLowerCase(Locale.ROOT) + ")");
    }
    String body = text.substring(b + begin.length(), e).replaceAll("\\s", "");
    return Base64.getDecoder().decode(body);
  }

  /** Signs the signature base. */
  public byte[] sign(Key key, byte[] base) throws GeneralSecurityException {
    if (symmetric()) {
      return HMAC.get().keyedWith(key).doFinal(base);
    }
    if (!(key instanceof PrivateKey pk)) {
      throw new InvalidKeyException("a private key is needed to sign");
    }
    Signature s = Signature.getInstance(jcaName());
    s.initSign(pk);
    s.update(base);
    return s.sign();
  }

  /**
   * Returns whether {@code signature} is this algorithm's signature of {@code base} under {@code
   * key}; an HMAC is compared in constant time, a signature of the wrong length is refused first.
   */
  public boolean verify(Key key, byte[] base, byte[] signature) {
    return verify(key, base, base.length, signature);
  }

  /**
   * Returns whether {@code signature} is this algorithm's signature of the first {@code length}
   * bytes of {@code base} under {@code key} (see {@link #verify(Key, byte[], byte[])}).
   */
  public boolean verify(Key key, byte[] base, int length, byte[] signature) {
    if (signature.length != signatureBytes) {
      return false;
    }
    try {
      if (symmetric()) {
        return HMAC.get().matches(key, base, length, signature);
      }
      if (!(key instanceof PublicKey pk)) {
        return false;
      }
      if (this == ED25519) {
        return verifyEd25519(pk, base, length, signature);
      }
      Signature s = Signature.getInstance(jcaName());
      s.initVerify(pk);
      s.update(base, 0, length);
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * Verifies an Ed25519 signature with BouncyCastle's RFC 8032 code: the JDK 17 provider took about
   * a millisecond per verification on these machines (measured in the bench row), BouncyCastle's a
   * small fraction of it. The key is the last 32 bytes of its X.509 encoding (a fixed 12-byte
   * prefix, checked when the key was read).
   */
  private static boolean verifyEd25519(PublicKey pk, byte[] base, int length, byte[] signature) {
    byte[] der = pk.getEncoded();
    if (der == null || der.length != ED25519_SPKI_BYTES) {
      return false;
    }
    return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
        signature, 0, der, der.length - 32, base, 0, length);
  }

  /**
   * One HMAC object per thread, keyed again only when the key changes ({@code doFinal} leaves it
   * keyed): {@code Mac.getInstance} (a provider lookup) was nearly half of a signed request's
   * verification in a profile, and keying it (two hash blocks and allocations) a good part of the
   * rest.
   */
  private static final ThreadLocal<KeyedMac> HMAC = ThreadLocal.withInitial(KeyedMac::new);

  /** A thread's HMAC object and the key it holds. */
  private static final class KeyedMac {
    private final Mac mac;
    private @org.jspecify.annotations.Nullable Key key;

    KeyedMac() {
      try {
        mac = Mac.getInstance("HmacSHA256");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
      }
    }

    /** Returns whether the HMAC of the base's first bytes is {@code expected} (constant time). */
    boolean matches(Key k, byte[] base, int length, byte[] expected)
        throws GeneralSecurityException {
      Mac m = keyedWith(k);
      m.update(base, 0, length);
      return MessageDigest.isEqual(m.doFinal(), expected);
    }

    Mac keyedWith(Key k) throws InvalidKeyException {
      if (k != key) {
        key = null;
        mac.init(k);
        key = k;
      }
      return mac;
    }
  }

  /** The length of an Ed25519 public key's X.509 encoding: a 12-byte prefix and the key. */
  private static final int ED25519_SPKI_BYTES = 44;

  private String jcaName() {
    return this == ED25519 ? "Ed25519" : "SHA256withECDSAinP1363Format";
  }
}
