package dev.bulwark.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.cli.Main;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code bulwark probe} command: exit codes for CI, and the JSON and SARIF files. */
class ProbeCommandTest {
  @SuppressWarnings("NullAway.Init")
  private static Vertx vertx;

  @SuppressWarnings("NullAway.Init")
  private static LocalTarget weak;

  @SuppressWarnings("NullAway.Init")
  private static LocalTarget hardened;

  @SuppressWarnings("NullAway.Init")
  private static Path ca;

  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  private final StringWriter out = new StringWriter();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    TestPki pki = TestPki.create();
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

  private int bulwark(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    return cli.execute(args);
  }

  @Test
  void weakTargetBelowMinScoreExitsOneAndWritesJsonAndSarif() throws Exception {
    Path json = dir.resolve("report.json");
    Path sarif = dir.resolve("report.sarif");
    int exit =
        bulwark(
            "probe",
            weak.url("/"),
            "--ca-file",
            ca.toString(),
            "--only",
            "headers,cors",
            "--json",
            json.toString(),
            "--sarif",
            sarif.toString(),
            "--min-score",
            "80",
            "--color",
            "never");

    assertThat(exit).isEqualTo(1);
    assertThat(out.toString())
        .contains("FAIL  cors.hostile-origins")
        .contains("Score: ")
        .contains("is below --min-score 80")
        .doesNotContain("\u001b[");
    JsonNode report = new ObjectMapper().readTree(json.toFile());
    assertThat(report.path("score").path("grade").asText()).isEqualTo("F");
    assertThat(report.path("findings").findValuesAsText("id")).contains("headers.banners");
    assertThat(report.path("requestsSent").asInt()).isPositive();

    JsonNode log = new ObjectMapper().readTree(sarif.toFile());
    assertThat(log.path("version").asText()).isEqualTo("2.1.0");
    JsonNode run = log.path("runs").get(0);
    assertThat(run.path("tool").path("driver").path("name").asText()).isEqualTo("bulwark-probe");
    assertThat(run.path("results").findValuesAsText("ruleId")).contains("cors.hostile-origins");
    assertThat(run.path("results").findValuesAsText("level")).containsOnly("error", "warning");
    assertThat(
            run.path("results")
                .get(0)
                .path("locations")
                .get(0)
                .path("physicalLocation")
                .path("artifactLocation")
                .path("uri")
                .asText())
        .isEqualTo(weak.url("/"));
  }

  @Test
  void hardenedTargetAboveMinScoreExitsZero() {
    int exit =
        bulwark(
            "probe",
            hardened.url("/"),
            "--ca-file",
            ca.toString(),
            "--only",
            "headers,cors,errors",
            "--min-score",
            "90",
            "--color",
            "always");

    assertThat(exit).isZero();
    assertThat(out.toString()).contains("\u001b[32mPASS").contains("100/100 (A)");
  }

  @Test
  void anUnreadableCaFileIsAClearUsageErrorNotAStackTrace() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("not-a-pem");
    int exit = bulwark("probe", hardened.url("/"), "--ca-file", dir.toString());
    assertThat(exit).isEqualTo(2);
    assertThat(out.toString())
        .contains("ca-file")
        .doesNotContain("\tat ")
        .doesNotContain("Exception");
  }

  @Test
  void unreachableTargetExitsThree() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    assertThat(bulwark("probe", "https://127.0.0.1:" + port + "/", "--timeout", "2")).isEqualTo(3);
    assertThat(out.toString()).contains("stopped early").contains("cannot connect");
  }

  @Test
  void jsonToStdoutReplacesTheTable() throws Exception {
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    java.io.PrintStream original = System.out;
    System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    int exit;
    try {
      exit =
          bulwark(
              "probe",
              hardened.url("/"),
              "--ca-file",
              ca.toString(),
              "--only",
              "headers",
              "--json",
              "-");
    } finally {
      System.setOut(original);
    }
    assertThat(exit).isZero();
    assertThat(out.toString()).doesNotContain("Score:");
    JsonNode report =
        new ObjectMapper().readTree(captured.toString(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(report.path("score").path("value").asInt()).isEqualTo(100);
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(bulwark("probe", "http://127.0.0.1/")).isEqualTo(2);
    assertThat(out.toString()).contains("expected: an https:// URL");
    assertThat(bulwark("probe", "https://127.0.0.1/", "--burst", "501")).isEqualTo(2);
    assertThat(out.toString()).contains("burst: 501 (expected: 1-500)");
    assertThat(bulwark("probe", "https://127.0.0.1/", "--only", "dns")).isEqualTo(2);
  }
}
