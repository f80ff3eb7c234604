package dev.bulwark.probe;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
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
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway PKI generated at test time: a CA and a server certificate for 127.0.0.1 and
 * localhost. No key ever touches the repository.
 */
final class TestPki {
  private static final SecureRandom RANDOM = new SecureRandom();

  final X509Certificate ca;
  final X509Certificate leaf;
  final KeyPair leafKey;

  private TestPki(X509Certificate ca, X509Certificate leaf, KeyPair leafKey) {
    this.ca = ca;
    this.leaf = leaf;
    this.leafKey = leafKey;
  }

  /** Returns a CA-signed certificate valid for a year for 127.0.0.1 and localhost. */
  static TestPki create() {
    Instant now = Instant.now();
    return create(
        now.minus(Duration.ofDays(1)),
        now.plus(Duration.ofDays(365)),
        false,
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
        new GeneralName(GeneralName.dNSName, "localhost"));
  }

  /** Returns a certificate with the given validity and names, CA-signed or self-signed. */
  static TestPki create(
      Instant notBefore, Instant notAfter, boolean selfSigned, GeneralName... names) {
    try {
      KeyPair caKey = ecKey();
      X500Name caName = new X500Name("CN=Bulwark Probe Test CA");
      X509v3CertificateBuilder caBuilder =
          new JcaX509v3CertificateBuilder(
              caName,
              serial(),
              Date.from(notBefore.minus(Duration.ofDays(1))),
              Date.from(Instant.now().plus(Duration.ofDays(3650))),
              caName,
              caKey.getPublic());
      caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      caBuilder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate ca = sign(caBuilder, caKey);

      KeyPair leafKey = ecKey();
      X500Name leafName = new X500Name("CN=bulwark-probe-test");
      X509v3CertificateBuilder leafBuilder =
          new JcaX509v3CertificateBuilder(
              selfSigned ? leafName : caName,
              serial(),
              Date.from(notBefore),
              Date.from(notAfter),
              leafName,
              leafKey.getPublic());
      leafBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      leafBuilder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      leafBuilder.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      leafBuilder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      X509Certificate leaf = sign(leafBuilder, selfSigned ? leafKey : caKey);
      return new TestPki(ca, leaf, leafKey);
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("test PKI", e);
    }
  }

  /** Returns Vert.x key/cert options serving the leaf certificate. */
  PemKeyCertOptions keyCert() {
    try {
      return new PemKeyCertOptions()
          .setCertValue(Buffer.buffer(pem(leaf)))
          .setKeyValue(Buffer.buffer(pem(new JcaPKCS8Generator(leafKey.getPrivate(), null))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes the CA certificate as PEM into the directory and returns the file. */
  Path writeCa(Path dir) {
    try {
      return Files.writeString(dir.resolve("ca.pem"), pem(ca), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static KeyPair ecKey() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
      throws GeneralSecurityException, OperatorCreationException {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }
}
