package dev.bulwark.demo;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The demo's client certificates, generated at each start and never kept anywhere else: a CA whose
 * private key is thrown away once it has signed, and one client certificate (a SPIFFE ID) with its
 * key, for the demo's mutual-TLS route and its curl line.
 */
public final class DemoClientCertificates {
  /** The CA bundle the demo's mTLS route trusts. */
  public static final String CA_FILE = "demo-clients-ca.pem";

  /** The client certificate curl presents. */
  public static final String CERT_FILE = "demo-client.crt";

  /** The client certificate's private key. */
  public static final String KEY_FILE = "demo-client.key";

  /** The SPIFFE ID of the demo's client certificate. */
  public static final String CLIENT_ID = "spiffe://demo.bulwark.local/ns/demo/sa/curl";

  private static final SecureRandom RANDOM = new SecureRandom();

  private DemoClientCertificates() {}

  /** Writes the CA bundle, the client certificate and its key into {@code dir}. */
  public static void generate(Path dir) throws IOException {
    try {
      KeyPair caKeys = keys();
      X500Name caName = new X500Name("CN=Bulwark demo clients CA");
      Instant now = Instant.now();
      X509v3CertificateBuilder ca =
          new JcaX509v3CertificateBuilder(
              caName,
              new BigInteger(64, RANDOM),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(Duration.ofDays(30))),
              caName,
              caKeys.getPublic());
      ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      X509Certificate caCert = sign(ca, caKeys);
      KeyPair clientKeys = keys();
      X509v3CertificateBuilder client =
          new JcaX509v3CertificateBuilder(
              caName,
              new BigInteger(64, RANDOM),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(Duration.ofDays(30))),
              new X500Name("CN=demo curl"),
              clientKeys.getPublic());
      client.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      client.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
      client.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, CLIENT_ID)));
      X509Certificate clientCert = sign(client, caKeys);
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(CA_FILE), pem(caCert), StandardCharsets.US_ASCII);
      Files.writeString(dir.resolve(CERT_FILE), pem(clientCert), StandardCharsets.US_ASCII);
      Path key = dir.resolve(KEY_FILE);
      Files.deleteIfExists(key);
      try {
        Files.createFile(
            key,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(key);
      }
      Files.writeString(
          key,
          pem(new JcaPKCS8Generator(clientKeys.getPrivate(), null)),
          StandardCharsets.US_ASCII);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IOException("cannot generate the demo's client certificates", e);
    }
  }

  private static KeyPair keys() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer)
      throws GeneralSecurityException, OperatorCreationException {
    return new JcaX509CertificateConverter()
        .getCertificate(
            b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }

  private static String pem(Object o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter p = new JcaPEMWriter(w)) {
      p.writeObject(o);
    }
    return w.toString();
  }
}
