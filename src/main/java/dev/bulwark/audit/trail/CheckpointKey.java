package dev.bulwark.audit.trail;

import static java.util.Objects.requireNonNull;

import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sealed.RecordId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The gateway's Ed25519 key that signs checkpoints: made on first start and kept in the data
 * directory, the private key sealed under the store's keyring ({@code audit-signing.key}) and the
 * public key in the clear ({@code audit-signing.pub}, base64 of its X.509 form) for verifiers.
 */
public final class CheckpointKey {
  static final String PRIVATE_FILE = "audit-signing.key";
  static final String PUBLIC_FILE = "audit-signing.pub";
  private static final RecordId ID = new RecordId("audit", "signing-key", "pkcs8");
  private static final String LABEL = "bulwark audit checkpoint v1\n";

  private final PrivateKey privateKey;
  private final PublicKey publicKey;

  private CheckpointKey(PrivateKey privateKey, PublicKey publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  /**
   * Loads the key from {@code dataDir}, or makes and stores one when there is none (blocking).
   *
   * @throws UncheckedIOException when the files cannot be read or written
   */
  public static CheckpointKey loadOrCreate(Path dataDir, Keyring keyring) {
    requireNonNull(dataDir, "dataDir");
    Path priv = dataDir.resolve(PRIVATE_FILE);
    Path pub = dataDir.resolve(PUBLIC_FILE);
    try {
      KeyFactory f = KeyFactory.getInstance("Ed25519");
      if (Files.exists(priv)) {
        byte[] sealed = Base64.getDecoder().decode(Files.readString(priv).strip());
        PrivateKey p = f.generatePrivate(new PKCS8EncodedKeySpec(keyring.open(ID, sealed)));
        PublicKey q = parsePublic(Files.readString(pub));
        return new CheckpointKey(p, q);
      }
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      Files.createDirectories(dataDir);
      byte[] sealed = keyring.seal(ID, pair.getPrivate().getEncoded());
      Files.writeString(
          priv,
          Base64.getEncoder().encodeToString(sealed) + "\n",
          StandardCharsets.US_ASCII,
          StandardOpenOption.CREATE_NEW);
      Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
      Files.writeString(pub, encodedPublic(pair.getPublic()) + "\n", StandardCharsets.US_ASCII);
      return new CheckpointKey(pair.getPrivate(), pair.getPublic());
    } catch (IOException e) {
      throw new UncheckedIOException(priv + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException(
          priv
              + ": not a checkpoint key sealed under this store's keyring ("
              + e.getMessage()
              + ")",
          e);
    }
  }

  /**
   * Returns a key kept elsewhere than the data directory (the PostgreSQL sink's head row): its
   * private key sealed under {@code keyring} for {@code id}, its public key as {@link #publicText}.
   *
   * @throws IllegalStateException when the sealed key does not open or is not a key
   */
  static CheckpointKey fromSealed(byte[] sealed, String publicText, Keyring keyring, RecordId id) {
    try {
      PrivateKey p =
          KeyFactory.getInstance("Ed25519")
              .generatePrivate(new PKCS8EncodedKeySpec(keyring.open(id, sealed)));
      return new CheckpointKey(p, parsePublic(publicText));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "not a checkpoint key sealed under this store's keyring (" + e.getMessage() + ")", e);
    }
  }

  /** Returns the private key sealed under {@code keyring} for {@code id}. */
  byte[] sealedPrivate(Keyring keyring, RecordId id) {
    return keyring.seal(id, privateKey.getEncoded());
  }

  /** Returns a key pair made in memory (tests). */
  static CheckpointKey generate() {
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      return new CheckpointKey(pair.getPrivate(), pair.getPublic());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is not available in this JVM", e);
    }
  }

  /** Returns the public key as base64 of its X.509 form (what {@code audit-signing.pub} holds). */
  public String publicText() {
    return encodedPublic(publicKey);
  }

  /** Returns the signature (base64) of the checkpoint at {@code seq} over the chain so far. */
  String sign(String trail, long seq, String prev) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(privateKey);
      s.update(signed(trail, seq, prev));
      return Base64.getEncoder().encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
  }

  /** Returns whether {@code signature} is the checkpoint signature under {@code publicKey}. */
  static boolean verify(PublicKey publicKey, String trail, long seq, String prev, String sig) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(publicKey);
      s.update(signed(trail, seq, prev));
      return s.verify(Base64.getDecoder().decode(sig));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Parses a public key written as by {@link #publicText}.
   *
   * @throws IllegalArgumentException when it is not one
   */
  static PublicKey parsePublic(String text) {
    try {
      return KeyFactory.getInstance("Ed25519")
          .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(text.strip())));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not an Ed25519 public key in base64", e);
    }
  }

  private static String encodedPublic(PublicKey key) {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  private static byte[] signed(String trail, long seq, String prev) {
    return (LABEL + trail + "\n" + seq + "\n" + prev).getBytes(StandardCharsets.US_ASCII);
  }
}
