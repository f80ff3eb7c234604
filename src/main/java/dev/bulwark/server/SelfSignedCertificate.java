package dev.bulwark.server;

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
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * An ECDSA P-256 self-signed certificate generated at run time (for {@code bulwark demo} and the
 * tests; never for production), written as PEM files with the key readable by the owner only.
 */
public record SelfSignedCertificate(Path certFile, Path keyFile, X509Certificate certificate) {

  /** Generates a certificate for the given DNS names (and 127.0.0.1, ::1) into a directory. */
  public static SelfSignedCertificate generate(Path dir, List<String> dnsNames) throws IOException {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair kp = g.generateKeyPair();
      Instant now = Instant.now();
      X500Name name = new X500Name("CN=" + (dnsNames.isEmpty() ? "localhost" : dnsNames.get(0)));
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              name,
              new BigInteger(64, new SecureRandom()),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(Duration.ofDays(30))),
              name,
              kp.getPublic());
      GeneralName[] sans = new GeneralName[dnsNames.size() + 2];
      for (int i = 0; i < dnsNames.size(); i++) {
        sans[i] = new GeneralName(GeneralName.dNSName, dnsNames.get(i));
      }
      sans[dnsNames.size()] = new GeneralName(GeneralName.iPAddress, "127.0.0.1");
      sans[dnsNames.size() + 1] = new GeneralName(GeneralName.iPAddress, "::1");
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      X509Certificate cert =
          new JcaX509CertificateConverter()
              .getCertificate(
                  b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
      Files.createDirectories(dir);
      Path certFile = dir.resolve("tls.crt");
      Path keyFile = dir.resolve("tls.key");
      Files.writeString(certFile, pem(cert), StandardCharsets.US_ASCII);
      Files.deleteIfExists(keyFile);
      try {
        Files.createFile(
            keyFile,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(keyFile);
      }
      Files.writeString(keyFile, pem(kp.getPrivate()), StandardCharsets.US_ASCII);
      return new SelfSignedCertificate(certFile, keyFile, cert);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IOException("cannot generate a certificate", e);
    }
  }

  private static String pem(Object o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter p = new JcaPEMWriter(w)) {
      p.writeObject(
          o instanceof java.security.PrivateKey k
              ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null)
              : o);
    }
    return w.toString();
  }
}
