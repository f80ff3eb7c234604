package dev.bulwark.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Probes a deliberately weak and a hardened local target and compares the verdicts. */
class WeakVersusHardenedTargetTest {
  private static final int HARDENED_RATE_LIMIT = 25;

  @SuppressWarnings("NullAway.Init")
  private static Vertx vertx;

  @SuppressWarnings("NullAway.Init")
  private static LocalTarget weak;

  @SuppressWarnings("NullAway.Init")
  private static LocalTarget hardened;

  @SuppressWarnings("NullAway.Init")
  private static ProbeReport weakReport;

  @SuppressWarnings("NullAway.Init")
  private static ProbeReport hardenedReport;

  @BeforeAll
  static void probeBothTargets() throws Exception {
    vertx = Vertx.vertx();
    TestPki pki = TestPki.create();
    Path ca = pki.writeCa(Files.createTempDirectory("probe-ca"));
    weak = LocalTarget.weak(vertx, pki);
    hardened = LocalTarget.hardened(vertx, pki, HARDENED_RATE_LIMIT);
    weakReport = new Probe(options(weak, ca)).run();
    hardenedReport = new Probe(options(hardened, ca)).run();
    // Kept for docs/probe.md: the table each target gets.
    Path samples = Files.createDirectories(Path.of("target", "probe-samples"));
    Files.writeString(samples.resolve("weak.txt"), render(weakReport));
    Files.writeString(samples.resolve("hardened.txt"), render(hardenedReport));
  }

  static ProbeOptions options(LocalTarget target, Path ca) {
    return ProbeOptions.builder(ProbeTarget.parse(target.url("/"), null))
        .caFile(ca)
        .httpPort(target.httpPort())
        .timeout(Duration.ofSeconds(5))
        .build();
  }

  static String render(ProbeReport report) {
    java.io.StringWriter text = new java.io.StringWriter();
    new TextReportWriter(false).write(report, new java.io.PrintWriter(text));
    return text.toString();
  }

  @AfterAll
  static void stop() {
    weak.close();
    hardened.close();
    vertx.close().await();
  }

  @Test
  void hardenedTargetPassesEveryCheck() {
    assertThat(hardenedReport.aborted()).isFalse();
    assertThat(hardenedReport.findings())
        .filteredOn(f -> f.verdict() == Verdict.WARN || f.verdict() == Verdict.FAIL)
        .isEmpty();
    assertThat(hardenedReport.findings())
        .filteredOn(f -> f.verdict() == Verdict.SKIP)
        .extracting(Finding::id)
        .allMatch(id -> id.startsWith("smuggling.") || id.equals("limits.slow-headers"));
    assertThat(hardenedReport.score().value()).isEqualTo(100);
    assertThat(hardenedReport.score().grade()).isEqualTo("A");
  }

  @Test
  void weakTargetFailsEachPlantedWeakness() {
    assertThat(weakReport.aborted()).isFalse();
    for (String id :
        new String[] {
          "transport.cipher-suites",
          "transport.renegotiation",
          "transport.http-redirect",
          "transport.hsts",
          "headers.csp",
          "headers.content-type-options",
          "headers.frame-protection",
          "headers.banners",
          "headers.cookies",
          "cors.hostile-origins",
          "cors.preflight",
          "errors.malformed-json",
          "errors.absurd-parameters",
          "errors.unknown-method",
          "errors.long-path",
          "errors.bad-encoding",
          "limits.header-size",
          "limits.uri-length",
          "limits.rate-limit"
        }) {
      assertThat(weakReport.verdict(id)).as(id).isEqualTo(Verdict.FAIL);
    }
  }

  @Test
  void weakTargetScoresFarBelowHardenedOne() {
    assertThat(weakReport.score().value()).isLessThanOrEqualTo(ProbeScore.CRITICAL_CAP);
    assertThat(weakReport.score().grade()).isEqualTo("F");
    assertThat(weakReport.score().value()).isLessThan(hardenedReport.score().value() - 50);
  }
}
