package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.cli.Main;
import dev.bulwark.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The demo's configuration in front of the demo upstream, graded by {@code bulwark probe}: every
 * check passes, the burst answered 429 with Retry-After and RateLimit headers included.
 */
class DemoPassesProbeTest {

  @Test
  void demoConfigurationPassesEveryProbeCheck() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer upstream =
          DemoUpstream.start(vertx, 0)
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      String yaml =
          DemoConfig.yaml(
              TestGateway.certificate().certFile(),
              TestGateway.certificate().keyFile(),
              0,
              0,
              0,
              upstream.actualPort(),
              DemoAuthTest.issuerKey(),
              DemoAuthTest.contract());
      try (TestGateway gw = TestGateway.startYaml(yaml)) {
        Path json = Files.createTempFile("probe", ".json");
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        int exit =
            cli.execute(
                "probe",
                "https://localhost:" + gw.httpsPort(),
                "--path",
                "/api/hello",
                "--ca-file",
                TestGateway.certificate().certFile().toString(),
                "--http-port",
                String.valueOf(gw.gateway().httpPort()),
                "--intrusive",
                "--slow-header-seconds",
                "15",
                "--json",
                json.toString());
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        List<String> notPassing = new ArrayList<>();
        for (JsonNode f : report.get("findings")) {
          if (!f.get("verdict").asText().equals("pass")) {
            notPassing.add(
                f.get("id").asText()
                    + "="
                    + f.get("verdict").asText()
                    + " ("
                    + f.get("evidence").asText()
                    + ")");
          }
        }
        assertThat(notPassing).as(out.toString()).isEmpty();
        assertThat(exit).isZero();
      }
    } finally {
      vertx.close();
    }
  }
}
