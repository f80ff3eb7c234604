package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.testing.TestCertificates;
import dev.bulwark.testing.TestCertificates.Issued;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificate and key are checked together when a configuration loads (check-config, start,
 * reload): a pair that would fail every handshake, or could not be read, is an error naming the
 * file and what to do; a certificate close to expiry is a warning.
 */
class KeyCertificatePairTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  private static final String ROUTES =
      """
      routes:
        - name: api
          public: true
          match: { path: /**, methods: [GET] }
          upstream: http://127.0.0.1:3000
      """;

  private ConfigLoader.Loaded load(String cert, String key) throws ConfigException {
    Path file = dir.resolve("bulwark.yaml");
    try {
      Files.writeString(
          file,
          """
          listen: { https: 127.0.0.1:0, http: 127.0.0.1:0 }
          tls: { cert: CERT, key: KEY }
          """
                  .replace("CERT", cert)
                  .replace("KEY", key)
              + ROUTES);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return PolicyCatalog.standard()
        .loader(new SecretResolver(Map.<String, String>of()::get))
        .load(file);
  }

  private List<String> errors(String cert, String key) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(cert, key));
    assertThat(e).as("refused").isNotNull();
    return e.problems().stream().map(Problem::toString).toList();
  }

  @Test
  void aMatchingPairLoadsInEveryKeyFormat() throws Exception {
    Issued ec = TestCertificates.ec("ec.example");
    ec.writeCertificate(dir.resolve("ec.crt"));
    ec.writeKey(dir.resolve("ec.key"));
    ec.writeTraditionalKey(dir.resolve("ec-traditional.key"));
    Issued rsa = TestCertificates.rsa("rsa.example");
    rsa.writeCertificate(dir.resolve("rsa.crt"));
    rsa.writeKey(dir.resolve("rsa.key"));
    rsa.writeTraditionalKey(dir.resolve("rsa-traditional.key"));

    for (String[] pair :
        new String[][] {
          {"ec.crt", "ec.key"},
          {"ec.crt", "ec-traditional.key"},
          {"rsa.crt", "rsa.key"},
          {"rsa.crt", "rsa-traditional.key"}
        }) {
      ConfigLoader.Loaded loaded = load(pair[0], pair[1]);
      assertThat(loaded.config().tls().pair().chain()).hasSize(1);
      assertThat(loaded.config().tls().pair().keyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
      assertThat(loaded.warnings()).as(pair[1]).noneMatch(p -> p.path().startsWith("tls"));
    }
  }

  @Test
  void aKeyOfAnotherCertificateIsAnErrorAtTlsKey() {
    TestCertificates.ec("a.example").writeCertificate(dir.resolve("a.crt"));
    TestCertificates.ec("b.example").writeKey(dir.resolve("b.key"));
    assertThat(errors("a.crt", "b.key"))
        .containsExactly(
            "tls.key: b.key: does not match the certificate in a.crt (expected: the private key of"
                + " that certificate; compare openssl x509 -noout -pubkey -in a.crt with openssl"
                + " pkey -pubout -in b.key)");
  }

  @Test
  void anEcKeyWithAnRsaCertificateSaysWhichIsWhich() {
    TestCertificates.rsa("rsa.example").writeCertificate(dir.resolve("rsa.crt"));
    TestCertificates.ec("ec.example").writeKey(dir.resolve("ec.key"));
    assertThat(errors("rsa.crt", "ec.key"))
        .containsExactly(
            "tls.key: ec.key: an EC key, but the certificate in rsa.crt holds an RSA public key"
                + " (expected: the private key of that certificate)");
  }

  @Test
  void aPassphraseProtectedKeyIsRefusedWithTheCommandThatDecryptsIt() {
    Issued c = TestCertificates.ec("a.example");
    c.writeCertificate(dir.resolve("a.crt"));
    c.writeEncryptedKey(dir.resolve("pkcs8.key"));
    c.writeLegacyEncryptedKey(dir.resolve("legacy.key"));
    assertThat(errors("a.crt", "pkcs8.key"))
        .containsExactly(
            "tls.key: pkcs8.key: passphrase-protected (expected: an unencrypted key, readable only"
                + " by the gateway's user; decrypt it once: openssl pkey -in pkcs8.key -out"
                + " pkcs8.key.plain)");
    assertThat(errors("a.crt", "legacy.key")).singleElement().asString().contains("passphrase");
  }

  @Test
  void aCertificateThatIsNotPemIsNamedWithWhatToDo() throws Exception {
    Issued c = TestCertificates.ec("a.example");
    c.writeKey(dir.resolve("a.key"));
    c.writeDerCertificate(dir.resolve("a.der"));
    Files.writeString(dir.resolve("text.crt"), "this is not a certificate\n");
    Files.writeString(dir.resolve("empty.crt"), "");
    Files.writeString(
        dir.resolve("cut.crt"),
        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQk\n-----END CERTIFICATE-----\n");
    assertThat(errors("a.der", "a.key"))
        .containsExactly(
            "tls.cert: a.der: binary content, not PEM (a DER or PKCS#12 file? convert it: openssl"
                + " x509 -inform der -in a.der -out a.der.pem)");
    assertThat(errors("text.crt", "a.key"))
        .containsExactly(
            "tls.cert: text.crt: no PEM certificate found (expected: -----BEGIN CERTIFICATE-----"
                + " blocks, the server's certificate first)");
    assertThat(errors("empty.crt", "a.key")).singleElement().asString().contains("no PEM");
    assertThat(errors("cut.crt", "a.key"))
        .containsExactly(
            "tls.cert: cut.crt: certificate 1 does not parse (expected: a PEM certificate; is the"
                + " file cut short?)");
  }

  @Test
  void swappedCertificateAndKeyAreCalledSwapped() {
    Issued c = TestCertificates.ec("a.example");
    c.writeCertificate(dir.resolve("a.crt"));
    c.writeKey(dir.resolve("a.key"));
    assertThat(errors("a.key", "a.crt"))
        .containsExactly(
            "tls.cert: a.key: holds a private key, not a certificate (are tls.cert and tls.key"
                + " swapped?)",
            "tls.key: a.crt: holds a certificate, not a private key (are tls.cert and tls.key"
                + " swapped?)");
  }

  @Test
  void aDirectoryOrMissingFileIsSaidInWords() throws Exception {
    Issued c = TestCertificates.ec("a.example");
    c.writeKey(dir.resolve("a.key"));
    Files.createDirectories(dir.resolve("certs"));
    assertThat(errors("certs", "a.key"))
        .containsExactly("tls.cert: certs: a directory, not a file");
    assertThat(errors("nope.crt", "a.key")).containsExactly("tls.cert: nope.crt: file not found");
  }

  @Test
  void aChainInIssuingOrderLoadsAndAnyOtherOrderIsAnError() throws Exception {
    Issued root = TestCertificates.ca("Test Root");
    Issued intermediate = TestCertificates.issuedBy("Test Intermediate", root, true);
    Issued leaf = TestCertificates.issuedBy("leaf.example", intermediate, false);
    leaf.writeKey(dir.resolve("leaf.key"));
    TestCertificates.writeChain(dir.resolve("good.crt"), leaf, intermediate);
    TestCertificates.writeChain(dir.resolve("with-root.crt"), leaf, intermediate, root);
    TestCertificates.writeChain(dir.resolve("swapped.crt"), leaf, root, intermediate);
    TestCertificates.writeChain(dir.resolve("leaf-last.crt"), intermediate, leaf);

    assertThat(load("good.crt", "leaf.key").config().tls().pair().chain()).hasSize(2);
    assertThat(load("with-root.crt", "leaf.key").config().tls().pair().chain()).hasSize(3);
    assertThat(errors("swapped.crt", "leaf.key"))
        .containsExactly(
            "tls.cert: swapped.crt: certificate 2 (CN=Test Root) did not issue certificate 1"
                + " (CN=leaf.example, issued by CN=Test Intermediate) (expected: the server's"
                + " certificate first, then each issuer after the certificate it signed)");
    assertThat(errors("leaf-last.crt", "leaf.key"))
        .containsExactly(
            "tls.cert: leaf-last.crt: the certificate of leaf.key is number 2 of 2 (expected: the"
                + " server's certificate first, then its intermediates)");
  }

  @Test
  void anExpiredCertificateIsAnErrorAndOneExpiringWithinTwoWeeksAWarning() throws Exception {
    Instant now = Instant.now();
    Issued expired =
        TestCertificates.ec(
            "old.example",
            Instant.parse("2020-01-01T00:00:00Z"),
            Instant.parse("2021-01-01T00:00:00Z"));
    expired.writeCertificate(dir.resolve("old.crt"));
    expired.writeKey(dir.resolve("old.key"));
    assertThat(errors("old.crt", "old.key"))
        .containsExactly(
            "tls.cert: old.crt: certificate 1 (CN=old.example) expired on 2021-01-01T00:00:00Z"
                + " (expected: a current certificate)");

    Issued soon =
        TestCertificates.ec(
            "soon.example",
            now.minus(Duration.ofDays(80)),
            now.plus(Duration.ofDays(5)).plusSeconds(60));
    soon.writeCertificate(dir.resolve("soon.crt"));
    soon.writeKey(dir.resolve("soon.key"));
    assertThat(load("soon.crt", "soon.key").warnings())
        .map(Problem::toString)
        .anyMatch(
            w ->
                w.startsWith("tls.cert: soon.crt: certificate 1 (CN=soon.example) expires on ")
                    && w.endsWith(", in 5 days (renew it)"));

    Issued fine =
        TestCertificates.ec(
            "fine.example", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(15)));
    fine.writeCertificate(dir.resolve("fine.crt"));
    fine.writeKey(dir.resolve("fine.key"));
    assertThat(load("fine.crt", "fine.key").warnings()).noneMatch(p -> p.path().startsWith("tls"));

    Issued future =
        TestCertificates.ec(
            "future.example", now.plus(Duration.ofDays(2)), now.plus(Duration.ofDays(90)));
    future.writeCertificate(dir.resolve("future.crt"));
    future.writeKey(dir.resolve("future.key"));
    assertThat(errors("future.crt", "future.key"))
        .singleElement()
        .asString()
        .contains("is not valid before")
        .contains("check this host's clock");
  }

  @Test
  void theServedPairIsWhatWasCheckedNeverTheKeyInItsToString() throws Exception {
    Issued c = TestCertificates.ec("a.example");
    c.writeCertificate(dir.resolve("a.crt"));
    c.writeKey(dir.resolve("a.key"));
    KeyCertificatePair pair = load("a.crt", "a.key").config().tls().pair();
    assertThat(pair.chain().get(0)).isEqualTo(c.certificate());
    assertThat(pair.notAfter()).isEqualTo(c.certificate().getNotAfter().toInstant());
    assertThat(pair.toString()).doesNotContain("PRIVATE").contains("CN=a.example");
    assertThat(load("a.crt", "a.key").config().tls())
        .isEqualTo(load("a.crt", "a.key").config().tls());
  }

  @Test
  void otherErrorsStillShowWhenTheTlsFilesAreBroken() {
    // Errors are collected all at once: a broken pair does not hide a mistake elsewhere.
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () -> {
              Files.writeString(dir.resolve("x.crt"), "nope");
              Files.writeString(dir.resolve("x.key"), "nope");
              Path file = dir.resolve("bulwark.yaml");
              Files.writeString(
                  file,
                  """
                  listen: { https: 127.0.0.1:0, http: 127.0.0.1:0 }
                  tls: { cert: x.crt, key: x.key, min-version: TLSv1.0 }
                  """
                      + ROUTES);
              PolicyCatalog.standard().loader(new SecretResolver(n -> null)).load(file);
            });
    assertThat(e.problems())
        .extracting(Problem::path)
        .containsExactly("tls.cert", "tls.key", "tls.min-version");
  }
}
