package dev.bulwark.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Smuggling and slow-header probes against strict, lenient and Vert.x targets. */
class IntrusiveProbeTest {
  @SuppressWarnings("NullAway.Init")
  private static Vertx vertx;

  @SuppressWarnings("NullAway.Init")
  private static TestPki pki;

  @SuppressWarnings("NullAway.Init")
  private static Path ca;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    pki = TestPki.create();
    ca = pki.writeCa(Files.createTempDirectory("probe-ca"));
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  private static ProbeReport probe(String url, boolean intrusive) {
    ProbeReport report =
        new Probe(
                ProbeOptions.builder(ProbeTarget.parse(url, null))
                    .caFile(ca)
                    .intrusive(intrusive)
                    .timeout(Duration.ofMillis(1500))
                    .slowHeaderBudget(Duration.ofSeconds(3))
                    .burst(3)
                    .families(EnumSet.of(CheckFamily.SMUGGLING, CheckFamily.LIMITS))
                    .build())
            .run();
    return report;
  }

  @Test
  void strictServerPassesEverySmugglingAndSlowHeaderProbe() {
    try (FramingServer server = FramingServer.strict(pki, 1_000)) {
      ProbeReport report = probe(server.url(), true);

      assertThat(report.findings())
          .filteredOn(f -> f.family() == CheckFamily.SMUGGLING)
          .hasSize(5)
          .allSatisfy(f -> assertThat(f.verdict()).as(f.id()).isEqualTo(Verdict.PASS));
      assertThat(report.verdict("limits.slow-headers")).isEqualTo(Verdict.PASS);
      assertThat(report.evidence("limits.slow-headers")).contains("408");
    }
  }

  @Test
  void lenientServerDesyncsOnEveryAmbiguousFraming() {
    try (FramingServer server = FramingServer.lenient(pki)) {
      ProbeReport report = probe(server.url(), true);

      assertThat(report.verdict("smuggling.cl-te")).isEqualTo(Verdict.FAIL);
      assertThat(report.evidence("smuggling.cl-te")).contains("desync");
      assertThat(report.verdict("smuggling.te-cl")).isEqualTo(Verdict.SKIP);
      assertThat(report.evidence("smuggling.te-cl")).contains("could then leave a byte");
      assertThat(report.verdict("smuggling.http10-cl-te")).isEqualTo(Verdict.FAIL);
      assertThat(report.verdict("smuggling.te-variants")).isEqualTo(Verdict.FAIL);
      assertThat(report.evidence("smuggling.te-variants")).contains("xchunked");
      assertThat(report.verdict("smuggling.duplicate-content-length")).isEqualTo(Verdict.FAIL);
      assertThat(report.evidence("smuggling.duplicate-content-length"))
          .contains("accepted with 200");
      assertThat(report.verdict("limits.slow-headers")).isEqualTo(Verdict.FAIL);
    }
  }

  @Test
  void vertxOnPinnedNettyRefusesAmbiguousFramingButLetsHeadersTrickle() {
    // Records what Vert.x 5.0.10 on Netty 4.2.18 does, which the gateway builds on.
    try (LocalTarget weak = LocalTarget.weak(vertx, pki)) {
      ProbeReport report = probe(weak.url("/"), true);

      assertThat(report.findings())
          .filteredOn(f -> f.family() == CheckFamily.SMUGGLING)
          .allSatisfy(f -> assertThat(f.verdict()).as(f.id()).isEqualTo(Verdict.PASS));
      assertThat(report.verdict("limits.slow-headers")).isEqualTo(Verdict.FAIL);
    }
  }

  @Test
  void intrusiveProbesAreSkippedWithoutTheFlag() {
    try (FramingServer server = FramingServer.strict(pki, 1_000)) {
      ProbeReport report = probe(server.url(), false);

      assertThat(report.findings())
          .filteredOn(
              f -> f.family() == CheckFamily.SMUGGLING || f.id().equals("limits.slow-headers"))
          .hasSize(6)
          .allSatisfy(f -> assertThat(f.verdict()).isEqualTo(Verdict.SKIP));
    }
  }
}
