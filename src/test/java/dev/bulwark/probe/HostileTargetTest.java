package dev.bulwark.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import org.bouncycastle.asn1.x509.GeneralName;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Targets that are unreachable, hostile or broken: the probe reports, bounds and never throws. */
class HostileTargetTest {
  @SuppressWarnings("NullAway.Init")
  private static Vertx vertx;

  @SuppressWarnings("NullAway.Init")
  private static TestPki pki;

  @SuppressWarnings("NullAway.Init")
  private static Path ca;

  @SuppressWarnings("NullAway.Init")
  private static LocalTarget weak;

  @SuppressWarnings("NullAway.Init")
  private static LocalTarget hardened;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    pki = TestPki.create();
    ca = pki.writeCa(Files.createTempDirectory("probe-ca"));
    weak = LocalTarget.weak(vertx, pki);
    hardened = LocalTarget.hardened(vertx, pki, 1_000);
  }

  @AfterAll
  static void stop() {
    weak.close();
    hardened.close();
    vertx.close().await();
  }

  private static ProbeOptions.Builder options(String url, @Nullable String path) {
    return ProbeOptions.builder(ProbeTarget.parse(url, path))
        .caFile(ca)
        .httpPort(weak.httpPort())
        .timeout(Duration.ofSeconds(2));
  }

  @Test
  void unreachableTargetIsReportedWithoutThrowing() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    ProbeReport report =
        new Probe(options("https://127.0.0.1:" + closedPort + "/", null).build()).run();

    assertThat(report.aborted()).isTrue();
    assertThat(report.verdict("target.tls")).isEqualTo(Verdict.FAIL);
    assertThat(report.evidence("target.tls")).contains("cannot connect");
    assertThat(report.score().value()).isZero();
    assertThat(report.requestsSent()).isZero();
  }

  @Test
  void tlsHandshakeFailureNamesTheAlert() {
    byte[] handshakeFailure = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
    try (RawServer server =
        new RawServer(
            socket -> {
              socket.getInputStream().read(new byte[4096]);
              socket.getOutputStream().write(handshakeFailure);
            })) {
      ProbeReport report = new Probe(options(server.url(), null).build()).run();

      assertThat(report.aborted()).isTrue();
      assertThat(report.evidence("target.tls")).contains("handshake_failure");
    }
  }

  @Test
  void nonHttpServiceOnThePortIsNamed() {
    try (RawServer server =
        new RawServer(
            socket -> {
              socket
                  .getOutputStream()
                  .write("SSH-2.0-OpenSSH_9.2p1\r\n".getBytes(StandardCharsets.US_ASCII));
              socket.getInputStream().read(new byte[4096]);
            })) {
      ProbeReport report = new Probe(options(server.url(), null).build()).run();

      assertThat(report.aborted()).isTrue();
      assertThat(report.evidence("target.tls")).contains("does not speak TLS").contains("SSH-2.0");
    }
  }

  @Test
  void plainHttpOnTheTlsPortIsNamed() {
    ProbeReport report =
        new Probe(options("https://127.0.0.1:" + weak.httpPort() + "/", null).build()).run();

    assertThat(report.aborted()).isTrue();
    assertThat(report.evidence("target.tls")).contains("speaks plain HTTP");
  }

  @Test
  void silentTargetTimesOutWithinTheDeadline() {
    try (RawServer server = new RawServer(socket -> Thread.sleep(30_000))) {
      long start = System.nanoTime();
      ProbeReport report =
          new Probe(options(server.url(), null).timeout(Duration.ofSeconds(1)).build()).run();

      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      assertThat(report.aborted()).isTrue();
      assertThat(report.evidence("target.tls")).contains("within the timeout");
    }
  }

  @Test
  void targetThatHangsAfterTheHandshakeTimesOut() {
    long start = System.nanoTime();
    ProbeReport report =
        new Probe(options(hardened.url("/hang"), null).timeout(Duration.ofSeconds(1)).build())
            .run();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(report.aborted()).isTrue();
    assertThat(report.verdict("target.http")).isEqualTo(Verdict.FAIL);
    assertThat(report.evidence("target.http")).contains("no answer within the timeout");
  }

  @Test
  void trickledResponseIsCutAtTheDeadline() {
    try (RawServer server =
        new RawServer(
            socket -> {
              // Completes no TLS handshake, but keeps the connection alive one byte at a time.
              OutputStream out = socket.getOutputStream();
              for (int i = 0; i < 60; i++) {
                out.write(0x16);
                out.flush();
                Thread.sleep(500);
              }
            })) {
      long start = System.nanoTime();
      ProbeReport report =
          new Probe(options(server.url(), null).timeout(Duration.ofSeconds(1)).build()).run();

      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
      assertThat(report.aborted()).isTrue();
    }
  }

  @Test
  void untrustedCertificateStopsTheProbeUnlessInsecure() {
    ProbeReport strict = new Probe(options(hardened.url("/"), null).caFile(null).build()).run();

    assertThat(strict.aborted()).isTrue();
    assertThat(strict.abortedReason()).contains("--insecure");
    assertThat(strict.verdict("transport.certificate")).isEqualTo(Verdict.FAIL);
    assertThat(strict.evidence("transport.certificate")).contains("untrusted chain");
    assertThat(strict.requestsSent()).isZero();
  }

  @Test
  void selfSignedCertificateIsReportedAndInsecureContinues() {
    Instant now = Instant.now();
    TestPki selfSigned =
        TestPki.create(
            now.minus(Duration.ofDays(1)),
            now.plus(Duration.ofDays(90)),
            true,
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    try (LocalTarget target = LocalTarget.hardened(vertx, selfSigned, 1_000)) {
      ProbeReport report =
          new Probe(
                  options(target.url("/"), null)
                      .caFile(null)
                      .insecure(true)
                      .httpPort(target.httpPort())
                      .families(EnumSet.of(CheckFamily.TRANSPORT, CheckFamily.HEADERS))
                      .build())
              .run();

      assertThat(report.aborted()).isFalse();
      assertThat(report.evidence("transport.certificate")).contains("self-signed");
      assertThat(report.verdict("transport.hsts")).isEqualTo(Verdict.PASS);
      assertThat(report.score().value()).isLessThanOrEqualTo(ProbeScore.CRITICAL_CAP);
    }
  }

  @Test
  void certificateForAnotherHostIsAHostNameMismatch() throws Exception {
    Instant now = Instant.now();
    TestPki other =
        TestPki.create(
            now.minus(Duration.ofDays(1)),
            now.plus(Duration.ofDays(90)),
            false,
            new GeneralName(GeneralName.dNSName, "other.example"));
    Path otherCa = other.writeCa(Files.createTempDirectory("probe-ca"));
    try (LocalTarget target = LocalTarget.hardened(vertx, other, 1_000)) {
      ProbeReport report = new Probe(options(target.url("/"), null).caFile(otherCa).build()).run();

      assertThat(report.evidence("transport.certificate")).contains("host name mismatch");
    }
  }

  @Test
  void expiredCertificateFailsTrustAndExpiry() throws Exception {
    Instant now = Instant.now();
    TestPki expired =
        TestPki.create(
            now.minus(Duration.ofDays(30)),
            now.minus(Duration.ofDays(1)),
            false,
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    Path expiredCa = expired.writeCa(Files.createTempDirectory("probe-ca"));
    try (LocalTarget target = LocalTarget.hardened(vertx, expired, 1_000)) {
      ProbeReport report =
          new Probe(options(target.url("/"), null).caFile(expiredCa).build()).run();

      assertThat(report.verdict("transport.certificate-expiry")).isEqualTo(Verdict.FAIL);
      assertThat(report.evidence("transport.certificate")).contains("expired");
    }
  }

  @Test
  void redirectLoopIsReportedAndEnds() {
    ProbeReport report =
        new Probe(
                options(hardened.url("/loop-a"), null)
                    .families(EnumSet.of(CheckFamily.HEADERS))
                    .build())
            .run();

    assertThat(report.verdict("target.redirects")).isEqualTo(Verdict.WARN);
    assertThat(report.evidence("target.redirects")).contains("redirect loop");
    assertThat(report.requestsSent()).isLessThanOrEqualTo(TargetChecks.MAX_REDIRECTS);
  }

  @Test
  void redirectToAnotherHostIsNeverFollowed() {
    try (LocalTarget elsewhere = LocalTarget.weak(vertx, pki)) {
      String offsite = "https://127.0.0.1:" + elsewhere.httpsPort() + "/stolen";
      ProbeReport report =
          new Probe(options(hardened.url("/away?to=" + offsite), null).burst(5).build()).run();

      assertThat(report.verdict("target.redirects")).isEqualTo(Verdict.WARN);
      assertThat(report.evidence("target.redirects")).contains("leaves the target");
      assertThat(elsewhere.requests.get()).isZero();
      assertThat(elsewhere.plainRequests.get()).isZero();
    }
  }

  @Test
  @org.junit.jupiter.api.Timeout(60) // a probe reading all 100 MiB (or forever) would hang here
  void hugeResponseIsReadOnlyUpToTheBound() {
    ProbeReport report =
        new Probe(
                options(weak.url("/huge"), null)
                    .families(EnumSet.of(CheckFamily.HEADERS))
                    .timeout(Duration.ofSeconds(20)) // the bounded read, on a loaded machine
                    .build())
            .run();

    assertThat(report.evidence("target.http")).contains("truncated");
  }

  @Test
  void burstNeverSendsMoreThanTheBound() {
    int before = weak.requests.get();
    ProbeReport report =
        new Probe(
                options(weak.url("/"), null)
                    .families(EnumSet.of(CheckFamily.LIMITS))
                    .burst(20)
                    .build())
            .run();

    // baseline + oversized header + overlong URI (the weak target accepts both) + the burst
    assertThat(weak.requests.get() - before).isEqualTo(1 + 2 + 20);
    assertThat(report.requestsSent()).isEqualTo(1 + 2 + 20);
    assertThat(report.verdict("limits.rate-limit")).isEqualTo(Verdict.FAIL);
  }

  @Test
  void burstAboveTheHardBoundIsRefused() {
    assertThatThrownBy(() -> options(weak.url("/"), null).burst(ProbeOptions.MAX_BURST + 1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("burst: 501 (expected: 1-500)");
  }

  @Test
  void everyRequestIdentifiesTheProbe() throws Exception {
    StringBuilder seen = new StringBuilder();
    try (RawServer server =
        new RawServer(
            socket -> {
              InputStream in = socket.getInputStream();
              byte[] buffer = new byte[4096];
              int n = in.read(buffer);
              synchronized (seen) {
                seen.append(new String(buffer, 0, Math.max(n, 0), StandardCharsets.ISO_8859_1));
              }
              socket
                  .getOutputStream()
                  .write(
                      "HTTP/1.1 301 Moved\r\nLocation: https://x/\r\nContent-Length: 0\r\n\r\n"
                          .getBytes(StandardCharsets.US_ASCII));
            })) {
      ProbeReport report =
          new Probe(
                  options(weak.url("/"), null)
                      .httpPort(server.port())
                      .families(EnumSet.of(CheckFamily.TRANSPORT))
                      .build())
              .run();
      assertThat(report.aborted()).isFalse();
    }
    assertThat(seen.toString()).contains("User-Agent: " + ProbeOptions.DEFAULT_USER_AGENT);
  }
}
