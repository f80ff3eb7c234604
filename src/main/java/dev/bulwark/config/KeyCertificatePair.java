package dev.bulwark.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.jspecify.annotations.Nullable;

/**
 * The HTTPS listener's certificate chain and private key, read from PEM files and checked as a pair
 * when the configuration is loaded: the key belongs to the first certificate, each certificate is
 * issued by the next, none has expired (one that expires within 14 days is warned about). What is
 * served is exactly what was checked, never the files read again later.
 */
public final class KeyCertificatePair {
  /** A certificate that expires sooner than this is warned about. */
  public static final Duration EXPIRY_WARNING = Duration.ofDays(14);

  /** Certificate and key files larger than this are refused unread. */
  static final long MAX_FILE_BYTES = 1024 * 1024;

  /** The stand-in of a configuration whose files could not be used (it is never served). */
  public static final KeyCertificatePair NONE = new KeyCertificatePair(List.of(), null);

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]{1,40})-----(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final List<X509Certificate> chain;
  private final @Nullable PrivateKey key;

  private KeyCertificatePair(List<X509Certificate> chain, @Nullable PrivateKey key) {
    this.chain = List.copyOf(chain);
    this.key = key;
  }

  /** Returns whether there is no usable pair (none configured, or one that failed its checks). */
  public boolean isEmpty() {
    return chain.isEmpty() || key == null;
  }

  /** Returns the private key, or null for an empty pair. */
  public @Nullable PrivateKey privateKey() {
    return key;
  }

  /** Returns the certificates, the server's own first. */
  public List<X509Certificate> chain() {
    return chain;
  }

  /** Returns the chain as PEM text, the server's certificate first. */
  public String chainPem() {
    StringBuilder sb = new StringBuilder();
    for (X509Certificate c : chain) {
      try {
        sb.append(pem("CERTIFICATE", c.getEncoded()));
      } catch (CertificateException e) {
        throw new IllegalStateException("a parsed certificate always encodes", e);
      }
    }
    return sb.toString();
  }

  /** Returns the private key as unencrypted PKCS#8 PEM text. */
  public String keyPem() {
    PrivateKey k = key;
    return k == null ? "" : pem("PRIVATE KEY", k.getEncoded());
  }

  /** Returns when the first certificate of the chain expires (the chain stops working then). */
  public Instant notAfter() {
    Instant earliest = Instant.MAX;
    for (X509Certificate c : chain) {
      Instant t = c.getNotAfter().toInstant();
      if (t.isBefore(earliest)) {
        earliest = t;
      }
    }
    return earliest;
  }

  /** Returns the subject of the server's certificate, for log lines. */
  public String subject() {
    return chain.isEmpty() ? "none" : chain.get(0).getSubjectX500Principal().getName();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof KeyCertificatePair p
        && p.chain.equals(chain)
        && java.util.Objects.equals(p.key, key);
  }

  @Override
  public int hashCode() {
    return chain.hashCode();
  }

  /** Describes the pair without its key. */
  @Override
  public String toString() {
    return "KeyCertificatePair[" + subject() + ", until " + notAfter() + "]";
  }

  /** Reads the certificate chain of {@code file} (empty, after reporting, when unusable). */
  public static List<X509Certificate> readChain(ConfigNode n, String name, Path file) {
    byte[] bytes = bytes(n, name, file);
    return bytes == null ? List.of() : certificates(n, name, bytes);
  }

  /** Reads the private key of {@code file} (null, after reporting, when unusable). */
  public static @Nullable PrivateKey readKey(ConfigNode n, String name, Path file) {
    byte[] bytes = bytes(n, name, file);
    return bytes == null ? null : privateKey(n, name, bytes);
  }

  /**
   * Checks a chain and key together, reporting at {@code certNode} and {@code keyNode} with the
   * file names as the configuration wrote them; returns {@link #NONE} when they cannot be served.
   */
  static KeyCertificatePair check(
      ConfigNode certNode,
      String certName,
      List<X509Certificate> chain,
      ConfigNode keyNode,
      String keyName,
      PrivateKey privateKey) {
    int before = certNode.problems().errorCount();
    if (checkPair(keyNode, keyName, certNode, certName, chain, privateKey)) {
      checkChain(certNode, certName, chain);
    }
    checkValidity(certNode, certName, chain, Instant.now());
    return certNode.problems().errorCount() == before
        ? new KeyCertificatePair(chain, privateKey)
        : NONE;
  }

  private static byte @Nullable [] bytes(ConfigNode n, String name, Path file) {
    String problem = ReadableFile.problem(file, MAX_FILE_BYTES);
    if (problem != null) {
      n.error(name + ": " + problem);
      return null;
    }
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      n.error(name + ": " + ReadableFile.describe(e));
      return null;
    }
  }

  static List<X509Certificate> certificates(ConfigNode n, String name, byte[] bytes) {
    if (ReadableFile.looksBinary(bytes)) {
      n.error(
          name
              + ": binary content, not PEM (a DER or PKCS#12 file? convert it: openssl x509"
              + " -inform der -in "
              + name
              + " -out "
              + name
              + ".pem)");
      return List.of();
    }
    List<X509Certificate> chain = new ArrayList<>();
    boolean hasKey = false;
    CertificateFactory factory = x509();
    Matcher m = BLOCK.matcher(new String(bytes, StandardCharsets.ISO_8859_1));
    while (m.find()) {
      String type = m.group(1);
      if (type.endsWith("PRIVATE KEY")) {
        hasKey = true;
        continue;
      }
      if (!type.equals("CERTIFICATE")) {
        continue;
      }
      byte[] der = base64(m.group(2));
      try {
        if (der == null) {
          throw new CertificateException("bad base64");
        }
        chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
      } catch (CertificateException | RuntimeException e) {
        n.error(
            name
                + ": certificate "
                + (chain.size() + 1)
                + " does not parse (expected: a PEM certificate; is the file cut short?)");
        return List.of();
      }
    }
    if (chain.isEmpty()) {
      n.error(
          name
              + (hasKey
                  ? ": holds a private key, not a certificate (are tls.cert and tls.key swapped?)"
                  : ": no PEM certificate found (expected: -----BEGIN CERTIFICATE----- blocks,"
                      + " the server's certificate first)"));
    } else if (hasKey) {
      n.warning(
          name
              + ": also holds a private key (keep it only in tls.key: certificate files are often"
              + " readable by everyone)");
    }
    return chain;
  }

  static @Nullable PrivateKey privateKey(ConfigNode n, String name, byte[] bytes) {
    if (ReadableFile.looksBinary(bytes)) {
      n.error(
          name
              + ": binary content, not PEM (a DER key? convert it: openssl pkey -inform der -in "
              + name
              + " -out "
              + name
              + ".pem)");
      return null;
    }
    boolean hasCertificate = false;
    Matcher m = BLOCK.matcher(new String(bytes, StandardCharsets.ISO_8859_1));
    while (m.find()) {
      String type = m.group(1);
      if (type.equals("CERTIFICATE")) {
        hasCertificate = true;
        continue;
      }
      if (!type.endsWith("PRIVATE KEY")) {
        continue;
      }
      if (type.equals("ENCRYPTED PRIVATE KEY") || m.group(2).contains("ENCRYPTED")) {
        n.error(
            name
                + ": passphrase-protected (expected: an unencrypted key, readable only by the"
                + " gateway's user; decrypt it once: openssl pkey -in "
                + name
                + " -out "
                + name
                + ".plain)");
        return null;
      }
      ParsedKey parsed = parseKey(type, m.group(2));
      if (parsed == null) {
        n.error(
            name
                + ": the "
                + type
                + " block does not parse (expected: PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE"
                + " KEY; is the file cut short?)");
        return null;
      }
      PrivateKey k = parsed.key();
      if (k == null) {
        n.error(name + ": an " + parsed.algorithm() + " key (expected: an RSA or EC key)");
        return null;
      }
      if (k instanceof RSAKey rsa && rsa.getModulus().bitLength() < 2048) {
        n.warning(
            name
                + ": an RSA key of "
                + rsa.getModulus().bitLength()
                + " bits (expected: 2048 bits or more)");
      }
      return k;
    }
    n.error(
        name
            + (hasCertificate
                ? ": holds a certificate, not a private key (are tls.cert and tls.key swapped?)"
                : ": no PEM private key found (expected: -----BEGIN PRIVATE KEY-----, RSA"
                    + " PRIVATE KEY or EC PRIVATE KEY)"));
    return null;
  }

  /** The key's algorithm as the JDK names it, or a readable name of one the listener cannot use. */
  private static String algorithm(PrivateKeyInfo info) {
    ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
    if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
      return "RSA";
    }
    if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      return "EC";
    }
    if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
      return "Ed25519";
    }
    if (oid.equals(EdECObjectIdentifiers.id_Ed448)) {
      return "Ed448";
    }
    if (oid.equals(PKCSObjectIdentifiers.id_RSASSA_PSS)) {
      return "RSASSA-PSS";
    }
    if (oid.equals(X9ObjectIdentifiers.id_dsa)) {
      return "DSA";
    }
    return oid.getId();
  }

  /** A parsed key block: its algorithm, and the key when the listener can use it. */
  private record ParsedKey(String algorithm, @Nullable PrivateKey key) {}

  /**
   * Parses one key block in any of the three unencrypted forms. The traditional forms are wrapped
   * as PKCS#8 here: an {@code EC PRIVATE KEY} written without its public key (as the JDK writes
   * them) is valid SEC1 that some readers refuse.
   */
  private static @Nullable ParsedKey parseKey(String type, String body) {
    byte[] der = base64(body);
    if (der == null) {
      return null;
    }
    try {
      PrivateKeyInfo info =
          switch (type) {
            case "PRIVATE KEY" -> PrivateKeyInfo.getInstance(der);
            case "RSA PRIVATE KEY" ->
                new PrivateKeyInfo(
                    new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                    org.bouncycastle.asn1.pkcs.RSAPrivateKey.getInstance(der));
            case "EC PRIVATE KEY" -> {
              org.bouncycastle.asn1.sec.ECPrivateKey ec =
                  org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(der);
              yield new PrivateKeyInfo(
                  new AlgorithmIdentifier(
                      X9ObjectIdentifiers.id_ecPublicKey, ec.getParametersObject()),
                  ec);
            }
            default -> null;
          };
      if (info == null) {
        return null;
      }
      String algorithm = algorithm(info);
      if (!algorithm.equals("RSA") && !algorithm.equals("EC")) {
        return new ParsedKey(algorithm, null);
      }
      return new ParsedKey(
          algorithm,
          KeyFactory.getInstance(algorithm)
              .generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded())));
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      return null;
    }
  }

  /** Returns whether the key is the first certificate's (else says what is wrong). */
  private static boolean checkPair(
      ConfigNode keyNode,
      String keyName,
      ConfigNode certNode,
      String certName,
      List<X509Certificate> chain,
      PrivateKey key) {
    PublicKey leaf = chain.get(0).getPublicKey();
    if (!leaf.getAlgorithm().equals(key.getAlgorithm())) {
      keyNode.error(
          keyName
              + ": an "
              + key.getAlgorithm()
              + " key, but the certificate in "
              + certName
              + " holds an "
              + leaf.getAlgorithm()
              + " public key (expected: the private key of that certificate)");
      return false;
    }
    if (signs(key, leaf)) {
      return true;
    }
    for (int i = 1; i < chain.size(); i++) {
      if (signs(key, chain.get(i).getPublicKey())) {
        certNode.error(
            certName
                + ": the certificate of "
                + keyName
                + " is number "
                + (i + 1)
                + " of "
                + chain.size()
                + " (expected: the server's certificate first, then its intermediates)");
        return false;
      }
    }
    keyNode.error(
        keyName
            + ": does not match the certificate in "
            + certName
            + " (expected: the private key of that certificate; compare openssl x509 -noout"
            + " -pubkey -in "
            + certName
            + " with openssl pkey -pubout -in "
            + keyName
            + ")");
    return false;
  }

  private static void checkChain(ConfigNode n, String name, List<X509Certificate> chain) {
    for (int i = 1; i < chain.size(); i++) {
      X509Certificate issued = chain.get(i - 1);
      X509Certificate issuer = chain.get(i);
      boolean named = issued.getIssuerX500Principal().equals(issuer.getSubjectX500Principal());
      if (!named || !verifies(issued, issuer.getPublicKey())) {
        n.error(
            name
                + ": certificate "
                + (i + 1)
                + " ("
                + issuer.getSubjectX500Principal().getName()
                + ") did not issue certificate "
                + i
                + " ("
                + issued.getSubjectX500Principal().getName()
                + ", issued by "
                + issued.getIssuerX500Principal().getName()
                + ") (expected: the server's certificate first, then each issuer after the"
                + " certificate it signed)");
        return;
      }
    }
  }

  private static void checkValidity(
      ConfigNode n, String name, List<X509Certificate> chain, Instant now) {
    for (int i = 0; i < chain.size(); i++) {
      X509Certificate c = chain.get(i);
      String which = "certificate " + (i + 1) + " (" + c.getSubjectX500Principal().getName() + ")";
      Instant notAfter = c.getNotAfter().toInstant();
      Instant notBefore = c.getNotBefore().toInstant();
      if (notAfter.isBefore(now)) {
        n.error(
            name + ": " + which + " expired on " + notAfter + " (expected: a current certificate)");
      } else if (notBefore.isAfter(now)) {
        n.error(
            name
                + ": "
                + which
                + " is not valid before "
                + notBefore
                + " (expected: a certificate valid now; check this host's clock)");
      } else if (notAfter.isBefore(now.plus(EXPIRY_WARNING))) {
        long days = Duration.between(now, notAfter).toDays();
        n.warning(
            name
                + ": "
                + which
                + " expires on "
                + notAfter
                + ", in "
                + (days == 0 ? "less than a day" : days == 1 ? "1 day" : days + " days")
                + " (renew it)");
      }
    }
  }

  private static boolean signs(PrivateKey key, PublicKey publicKey) {
    byte[] challenge = new byte[32];
    RANDOM.nextBytes(challenge);
    String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    try {
      Signature s = Signature.getInstance(algorithm);
      s.initSign(key);
      s.update(challenge);
      byte[] signature = s.sign();
      Signature v = Signature.getInstance(algorithm);
      v.initVerify(publicKey);
      v.update(challenge);
      return v.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static boolean verifies(X509Certificate issued, PublicKey issuer) {
    try {
      issued.verify(issuer);
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static byte @Nullable [] base64(String body) {
    StringBuilder sb = new StringBuilder(body.length());
    for (String line : body.split("\\R")) {
      if (!line.contains(":")) {
        sb.append(line.strip());
      }
    }
    try {
      return Base64.getDecoder().decode(sb.toString());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static CertificateFactory x509() {
    try {
      return CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("every JDK has an X.509 certificate factory", e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
