package dev.bulwark.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.jspecify.annotations.Nullable;

/**
 * Certificates and keys generated at test time, in the shapes operators get wrong: EC or RSA,
 * self-signed or issued by a test CA, any validity, written as PEM (plain or passphrase-protected)
 * or DER. No key ever touches the repository.
 */
public final class TestCertificates {
  private static final SecureRandom RANDOM = new SecureRandom();
  // The JDK has no AES/CBC/PKCS7Padding, which PEM encryption needs; only the tests encrypt keys.
  private static final java.security.Provider BC =
      new org.bouncycastle.jce.provider.BouncyCastleProvider();

  private TestCertificates() {}

  /** A certificate and the key pair it was issued for. */
  public record Issued(X509Certificate certificate, KeyPair keys) {

    /** Writes the certificate as PEM. */
    public Path writeCertificate(Path file) {
      return write(file, pem(certificate));
    }

    /** Writes the private key as unencrypted PKCS#8 PEM ({@code PRIVATE KEY}). */
    public Path writeKey(Path file) {
      try {
        return write(file, pem(new JcaPKCS8Generator(keys.getPrivate(), null)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Writes the private key in the traditional OpenSSL form ({@code EC/RSA PRIVATE KEY}). */
    public Path writeTraditionalKey(Path file) {
      if (!keys.getPrivate().getAlgorithm().equals("EC")) {
        return write(file, pem(keys.getPrivate()));
      }
      // SEC1 with the curve inside, as openssl writes it (a JDK key's PKCS#8 keeps it outside).
      try {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
        ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
        ECPrivateKey sec1 =
            new ECPrivateKey(256, inner.getKey(), info.getPrivateKeyAlgorithm().getParameters());
        return write(file, pem(new PemObject("EC PRIVATE KEY", sec1.getEncoded())));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Writes the private key as passphrase-protected PKCS#8 ({@code ENCRYPTED PRIVATE KEY}). */
    public Path writeEncryptedKey(Path file) {
      try {
        var encryptor =
            new JceOpenSSLPKCS8EncryptorBuilder(org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC)
                .setProvider(BC)
                .setPassword("secret".toCharArray())
                .setRandom(RANDOM)
                .build();
        return write(file, pem(new JcaPKCS8Generator(keys.getPrivate(), encryptor)));
      } catch (OperatorCreationException | IOException e) {
        throw new IllegalStateException(e);
      }
    }

    /** Writes the key in the traditional form with a {@code Proc-Type: 4,ENCRYPTED} header. */
    public Path writeLegacyEncryptedKey(Path file) {
      StringWriter out = new StringWriter();
      try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
        writer.writeObject(
            keys.getPrivate(),
            new JcePEMEncryptorBuilder("AES-128-CBC")
                .setProvider(BC)
                .setSecureRandom(RANDOM)
                .build("secret".toCharArray()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return write(file, out.toString());
    }

    /** Writes the certificate DER-encoded (binary), as some CAs hand it out. */
    public Path writeDerCertificate(Path file) {
      try {
        Files.write(file, certificate.getEncoded());
        return file;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Returns a self-signed EC P-256 certificate for {@code cn}, valid for 90 days. */
  public static Issued ec(String cn) {
    return issue(cn, "EC", Instant.now().minus(Duration.ofHours(1)), days(90), null, false);
  }

  /** Returns a self-signed RSA 2048 certificate for {@code cn}, valid for 90 days. */
  public static Issued rsa(String cn) {
    return issue(cn, "RSA", Instant.now().minus(Duration.ofHours(1)), days(90), null, false);
  }

  /** Returns a self-signed EC certificate with the given validity. */
  public static Issued ec(String cn, Instant notBefore, Instant notAfter) {
    return issue(cn, "EC", notBefore, notAfter, null, false);
  }

  /** Returns an EC CA certificate (basic constraints CA). */
  public static Issued ca(String cn) {
    return issue(cn, "EC", Instant.now().minus(Duration.ofDays(1)), days(3650), null, true);
  }

  /** Returns an EC certificate for {@code cn} issued by {@code issuer} (a CA or intermediate). */
  public static Issued issuedBy(String cn, Issued issuer, boolean isCa) {
    return issue(cn, "EC", Instant.now().minus(Duration.ofHours(1)), days(90), issuer, isCa);
  }

  /**
   * Returns an EC certificate issued by {@code issuer} with the given validity and subject
   * alternative names ({@code uri:...}, {@code dns:...}, {@code email:...}, {@code ip:...}).
   */
  public static Issued issuedBy(
      String cn, Issued issuer, Instant notBefore, Instant notAfter, String... sans) {
    return issue(cn, "EC", notBefore, notAfter, issuer, false, sans);
  }

  /** Returns an EC certificate issued by {@code issuer}, valid for 90 days, with these SANs. */
  public static Issued client(String cn, Issued issuer, String... sans) {
    return issue(cn, "EC", Instant.now().minus(Duration.ofHours(1)), days(90), issuer, false, sans);
  }

  /** Writes a PEM CRL signed by {@code ca} that revokes {@code revoked}, next update in a day. */
  public static Path writeCrl(Path file, Issued ca, X509Certificate... revoked) {
    try {
      X500Name issuerName =
          X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
      Date now = new Date();
      org.bouncycastle.cert.X509v2CRLBuilder b =
          new org.bouncycastle.cert.X509v2CRLBuilder(issuerName, now);
      b.setNextUpdate(Date.from(Instant.now().plus(Duration.ofDays(1))));
      for (X509Certificate c : revoked) {
        b.addCRLEntry(c.getSerialNumber(), now, org.bouncycastle.asn1.x509.CRLReason.keyCompromise);
      }
      var holder =
          b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.keys().getPrivate()));
      return write(
          file, pem(new org.bouncycastle.cert.jcajce.JcaX509CRLConverter().getCRL(holder)));
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("test CRL", e);
    }
  }

  /** Concatenates certificates as one PEM chain file, in the order given. */
  public static Path writeChain(Path file, Issued... chain) {
    StringBuilder sb = new StringBuilder();
    for (Issued c : chain) {
      sb.append(pem(c.certificate()));
    }
    return write(file, sb.toString());
  }

  private static Instant days(int n) {
    return Instant.now().plus(Duration.ofDays(n));
  }

  private static Issued issue(
      String cn,
      String algorithm,
      Instant notBefore,
      Instant notAfter,
      @Nullable Issued issuer,
      boolean isCa) {
    return issue(cn, algorithm, notBefore, notAfter, issuer, isCa, (String[]) null);
  }

  private static Issued issue(
      String cn,
      String algorithm,
      Instant notBefore,
      Instant notAfter,
      @Nullable Issued issuer,
      boolean isCa,
      String @Nullable ... sans) {
    return issue(cn, algorithm, notBefore, notAfter, issuer, isCa, null, sans);
  }

  /** Returns a client certificate whose AIA names {@code ocspUrl} as its OCSP responder. */
  public static Issued clientWithOcsp(String cn, Issued issuer, String ocspUrl, String... sans) {
    return issue(
        cn, "EC", Instant.now().minus(Duration.ofHours(1)), days(90), issuer, false, ocspUrl, sans);
  }

  private static Issued issue(
      String cn,
      String algorithm,
      Instant notBefore,
      Instant notAfter,
      @Nullable Issued issuer,
      boolean isCa,
      @Nullable String ocspUrl,
      String @Nullable ... sans) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
      if (algorithm.equals("EC")) {
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      } else {
        g.initialize(2048, RANDOM);
      }
      KeyPair kp = g.generateKeyPair();
      X500Name subject = new X500Name("CN=" + cn);
      X500Name issuerName =
          issuer == null
              ? subject
              : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              issuerName,
              new BigInteger(64, RANDOM),
              Date.from(notBefore),
              Date.from(notAfter),
              subject,
              kp.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      if (ocspUrl != null) {
        b.addExtension(
            Extension.authorityInfoAccess,
            false,
            new org.bouncycastle.asn1.x509.AuthorityInformationAccess(
                org.bouncycastle.asn1.x509.X509ObjectIdentifiers.ocspAccessMethod,
                new GeneralName(GeneralName.uniformResourceIdentifier, ocspUrl)));
      }
      if (!isCa && sans != null) {
        GeneralName[] names = new GeneralName[sans.length];
        for (int i = 0; i < sans.length; i++) {
          String s = sans[i];
          int colon = s.indexOf(':');
          String value = s.substring(colon + 1);
          names[i] =
              switch (s.substring(0, colon)) {
                case "uri" -> new GeneralName(GeneralName.uniformResourceIdentifier, value);
                case "dns" -> new GeneralName(GeneralName.dNSName, value);
                case "email" -> new GeneralName(GeneralName.rfc822Name, value);
                case "ip" -> new GeneralName(GeneralName.iPAddress, value);
                default -> throw new IllegalArgumentException("san: " + s);
              };
        }
        if (names.length > 0) {
          b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
      } else if (!isCa) {
        b.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(
                new GeneralName[] {
                  new GeneralName(GeneralName.dNSName, "localhost"),
                  new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                }));
      }
      KeyPair signer = issuer == null ? kp : issuer.keys();
      String signature =
          signer.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      X509Certificate cert =
          new JcaX509CertificateConverter()
              .getCertificate(
                  b.build(new JcaContentSignerBuilder(signature).build(signer.getPrivate())));
      return new Issued(cert, kp);
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("test certificate", e);
    }
  }

  private static String pem(Object o) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static Path write(Path file, String text) {
    try {
      return Files.writeString(file, text, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
