package dev.bulwark.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import io.vertx.core.net.OpenSSLEngineOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/**
 * TLS 1.0/1.1 detection against a server that really offers them. The JDK forbids both JVM-wide, so
 * the server uses BoringSSL (netty-tcnative) and the probe its raw ClientHello.
 */
class LegacyTlsTest {

  @Test
  void serverOfferingTls10And11FailsLegacyTlsCheck() throws Exception {
    assumeTrue(OpenSSLEngineOptions.isAvailable(), "netty-tcnative (BoringSSL) not loadable here");
    Vertx vertx = Vertx.vertx();
    TestPki pki = TestPki.create();
    Path ca = pki.writeCa(Files.createTempDirectory("probe-ca"));
    try (LocalTarget target = LocalTarget.legacyTls(vertx, pki)) {
      ProbeReport report =
          new Probe(
                  ProbeOptions.builder(ProbeTarget.parse(target.url("/"), null))
                      .caFile(ca)
                      .httpPort(target.httpPort())
                      .timeout(Duration.ofSeconds(5))
                      .families(EnumSet.of(CheckFamily.TRANSPORT))
                      .build())
              .run();

      assertThat(report.verdict("transport.legacy-tls")).isEqualTo(Verdict.FAIL);
      assertThat(report.evidence("transport.legacy-tls"))
          .contains("TLSv1 (TLS_ECDHE_ECDSA_WITH_AES_")
          .contains("TLSv1.1 (");
      assertThat(report.verdict("transport.cipher-suites")).isEqualTo(Verdict.FAIL);
      assertThat(report.evidence("transport.cipher-suites")).contains("_CBC_SHA [CBC]");
    } finally {
      vertx.close().await();
    }
  }
}
