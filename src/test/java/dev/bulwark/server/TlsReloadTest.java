package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.config.Problem;
import dev.bulwark.testing.LogCapture;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestCertificates;
import dev.bulwark.testing.TestCertificates.Issued;
import dev.bulwark.testing.TestGateway;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A certificate and key that do not match never reach the listener: a reload with such a pair is
 * refused (the old pair keeps serving, one log line, one counted failure), and a renewal that
 * writes the certificate and the key a second apart is waited for, with no failed handshake in
 * between.
 */
class TlsReloadTest {
  private static final String ROUTE =
      "routes:\n  - name: a\n    match: { path: /a/** }\n    upstream: UPSTREAM\n    public: true\n";

  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  private TestGateway start(StubUpstream upstream, Path cert, Path key) throws Exception {
    SelfSignedCertificate shared = TestGateway.certificate();
    String yaml =
        TestGateway.yaml(ROUTE, upstream.port())
            .replace(shared.certFile().toString(), cert.toString())
            .replace(shared.keyFile().toString(), key.toString());
    return TestGateway.startYaml(yaml);
  }

  @Test
  void aMismatchedKeyOnReloadKeepsTheOldPairCountsOneFailureAndSaysSoInOneLine() throws Exception {
    Issued first = TestCertificates.ec("first.example");
    Path cert = first.writeCertificate(dir.resolve("tls.crt"));
    Path key = first.writeKey(dir.resolve("tls.key"));
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = start(upstream, cert, key);
        LogCapture log = LogCapture.of(Gateway.class.getName())) {
      TestCertificates.ec("other.example").writeKey(key);

      List<Problem> problems = gw.gateway().reload();

      assertThat(problems)
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.severity()).isEqualTo(Problem.Severity.ERROR);
                assertThat(p.path()).isEqualTo("tls.key");
                assertThat(p.message()).contains("does not match the certificate");
              });
      assertThat(servedSerial(gw)).isEqualTo(first.certificate().getSerialNumber());
      assertThat(gw.gateway().metrics().scrape())
          .contains("bulwark_config_reload_failures_total 1.0")
          .contains("bulwark_config_reloads_total 0.0");
      assertThat(log.lines())
          .singleElement()
          .asString()
          .startsWith("WARNING reload refused, the running configuration stays: ")
          .contains("tls.key: " + key + ": does not match the certificate in " + cert);
    }
  }

  @Test
  void aRenewalThatWritesTheCertificateThenTheKeyASecondLaterNeverFailsAHandshake()
      throws Exception {
    Issued first = TestCertificates.ec("first.example");
    Path cert = first.writeCertificate(dir.resolve("tls.crt"));
    Path key = first.writeKey(dir.resolve("tls.key"));
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = start(upstream, cert, key);
        LogCapture log = LogCapture.of("dev.bulwark.server")) {
      // The grace only bounds the wait; a slow machine must not turn it into a refusal.
      gw.gateway().watch(Duration.ofMillis(100), Duration.ofSeconds(30));
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      AtomicBoolean running = new AtomicBoolean(true);
      Thread client =
          new Thread(
              () -> {
                while (running.get()) {
                  try {
                    servedSerial(gw);
                  } catch (Exception e) {
                    failures.add(String.valueOf(e));
                  }
                }
              });
      client.start();
      Issued renewed = TestCertificates.ec("renewed.example");
      try {
        renewed.writeCertificate(cert);
        // The watcher has read the new certificate beside the old key, and waits.
        log.await(Duration.ofSeconds(10), "do not form a valid pair yet");
        assertThat(servedSerial(gw))
            .as("the old pair serves while the key is not written yet")
            .isEqualTo(first.certificate().getSerialNumber());
        Thread.sleep(1000);
        renewed.writeKey(key);
        awaitServed(gw, renewed.certificate().getSerialNumber(), Duration.ofSeconds(10));
      } finally {
        running.set(false);
        client.join();
      }
      assertThat(failures).as("handshakes that failed during the renewal").isEmpty();
      // A poll can read a file while it is being written and reload once more; never a refusal.
      assertThat(gw.gateway().metrics().scrape())
          .contains("bulwark_config_reload_failures_total 0.0")
          .doesNotContain("bulwark_config_reloads_total 0.0");
      assertThat(log.lines()).noneMatch(l -> l.contains("refused"));
    }
  }

  @Test
  void aConfigurationThatNamesOtherCertificateFilesIsReloadedOnce() throws Exception {
    Issued first = TestCertificates.ec("first.example");
    Path cert = first.writeCertificate(dir.resolve("tls.crt"));
    Path key = first.writeKey(dir.resolve("tls.key"));
    Issued other = TestCertificates.ec("other.example");
    Path otherCert = other.writeCertificate(dir.resolve("other.crt"));
    Path otherKey = other.writeKey(dir.resolve("other.key"));
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = start(upstream, cert, key);
        LogCapture log = LogCapture.of("dev.bulwark.server")) {
      gw.gateway().watch(Duration.ofMillis(100), Duration.ofSeconds(5));
      Files.writeString(
          gw.configFile(),
          Files.readString(gw.configFile())
              .replace(cert.toString(), otherCert.toString())
              .replace(key.toString(), otherKey.toString()));
      awaitServed(gw, other.certificate().getSerialNumber(), Duration.ofSeconds(10));
      // Polls after the swap see the newly watched files for the first time: not a change.
      Thread.sleep(600);
      assertThat(log.lines()).filteredOn(l -> l.contains("configuration reloaded")).hasSize(1);
    }
  }

  @Test
  void aPairThatStaysInconsistentIsRefusedOnceTheGraceRunsOut() throws Exception {
    Issued first = TestCertificates.ec("first.example");
    Path cert = first.writeCertificate(dir.resolve("tls.crt"));
    Path key = first.writeKey(dir.resolve("tls.key"));
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = start(upstream, cert, key);
        LogCapture log = LogCapture.of("dev.bulwark.server")) {
      gw.gateway().watch(Duration.ofMillis(100), Duration.ofMillis(600));
      TestCertificates.ec("renewed.example").writeCertificate(cert);
      log.await(Duration.ofSeconds(5), "do not form a valid pair yet", "keeps serving");
      log.await(Duration.ofSeconds(5), "WARNING reload refused", "tls.key");
      assertThat(gw.gateway().metrics().scrape())
          .contains("bulwark_config_reload_failures_total 1.0");
      assertThat(servedSerial(gw)).isEqualTo(first.certificate().getSerialNumber());
      assertThat(log.lines()).filteredOn(l -> l.contains("reload refused")).hasSize(1);
    }
  }

  @Test
  void theServedCertificatesExpiryIsAGaugeThatFollowsAReload() throws Exception {
    Issued first = TestCertificates.ec("first.example");
    Path cert = first.writeCertificate(dir.resolve("tls.crt"));
    Path key = first.writeKey(dir.resolve("tls.key"));
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = start(upstream, cert, key)) {
      assertThat(gw.gateway().metrics().scrape())
          .contains("# TYPE bulwark_tls_certificate_expiry_timestamp_seconds gauge");
      assertThat(expiryGauge(gw))
          .isEqualTo(first.certificate().getNotAfter().toInstant().getEpochSecond());
      Issued renewed =
          TestCertificates.ec(
              "renewed.example",
              java.time.Instant.now().minus(Duration.ofHours(1)),
              java.time.Instant.now().plus(Duration.ofDays(200)));
      renewed.writeCertificate(cert);
      renewed.writeKey(key);
      assertThat(gw.gateway().reload()).noneMatch(p -> p.severity() == Problem.Severity.ERROR);
      long expected = renewed.certificate().getNotAfter().toInstant().getEpochSecond();
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (expiryGauge(gw) != expected && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(expiryGauge(gw)).isEqualTo(expected);
      assertThat(servedSerial(gw)).isEqualTo(renewed.certificate().getSerialNumber());
    }
  }

  @Test
  void aChangeThatNeedsARestartIsNamedWithItsOldAndNewValue() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = TestGateway.start(ROUTE, upstream.port());
        LogCapture log = LogCapture.of(Gateway.class.getName())) {
      Files.writeString(
          gw.configFile(),
          TestGateway.yaml("defaults:\n  limits: { uri: 16KiB }\n" + ROUTE, upstream.port()));
      gw.gateway().reload();
      assertThat(log.lines())
          .contains(
              "WARNING reload: defaults.limits.uri (8KiB -> 16KiB) takes effect only on restart;"
                  + " the rest is applied");
      assertThat(log.lines())
          .anyMatch(l -> l.startsWith("INFO configuration reloaded from " + gw.configFile()));
    }
  }

  @Test
  void aRefusedReloadLogsItsErrorsOnlyNeverItsWarningsAsRefusals() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = TestGateway.start(ROUTE, upstream.port());
        LogCapture log = LogCapture.of(Gateway.class.getName())) {
      // A lint-worthy route (plain HTTP to another host, no rate limit) next to a real error.
      Files.writeString(
          gw.configFile(),
          TestGateway.yaml(
              ROUTE
                  + "  - name: far\n    match: { path: /far/** }\n"
                  + "    upstream: http://10.9.9.9:80\n    public: true\n"
                  + "  - name: bad\n    match: { path: bad }\n    upstream: UPSTREAM\n"
                  + "    public: true\n",
              upstream.port()));
      List<Problem> problems = gw.gateway().reload();
      assertThat(problems)
          .isNotEmpty()
          .allMatch(p -> p.severity() == Problem.Severity.ERROR)
          .extracting(Problem::path)
          .containsExactly("routes[2].match.path");
      assertThat(log.lines())
          .singleElement()
          .asString()
          .startsWith("WARNING reload refused")
          .contains("routes[2].match.path")
          .doesNotContain("plain HTTP")
          .doesNotContain("rate limit");
    }
  }

  private static long expiryGauge(TestGateway gw) {
    for (String line : gw.gateway().metrics().scrape().split("\n")) {
      if (line.startsWith("bulwark_tls_certificate_expiry_timestamp_seconds ")) {
        return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1));
      }
    }
    throw new AssertionError("no expiry gauge");
  }

  private static BigInteger servedSerial(TestGateway gw) throws Exception {
    try (SSLSocket s = gw.rawSocketTrustingAll()) {
      return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  private static void awaitServed(TestGateway gw, BigInteger serial, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    BigInteger served = servedSerial(gw);
    while (!served.equals(serial) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      served = servedSerial(gw);
    }
    assertThat(served).isEqualTo(serial);
  }
}
