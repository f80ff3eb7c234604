package dev.bulwark.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.cli.Main;
import dev.bulwark.testing.TestGateway;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The probe against real nginx from Debian (installed by .ci/run): configured well it scores high;
 * configured badly, each planted weakness (legacy TLS, CBC suites, reflected CORS with credentials,
 * stack traces, banners, no HSTS, no redirect, no rate limit) is reported.
 */
class NginxTargetsTest {
  private static final Path NGINX = Path.of("/usr/sbin/nginx");

  /** One nginx process serving a rendered test config on free ports. */
  private static final class Nginx implements AutoCloseable {
    final int https;
    final int http;
    final Process process;

    Nginx(String template) throws Exception {
      Path dir = Files.createTempDirectory("probe-nginx");
      Files.createDirectories(dir.resolve("tmp"));
      Files.writeString(dir.resolve("ok.json"), "{\"ok\":true}");
      https = freePort();
      http = freePort();
      Map<String, String> values = new HashMap<>();
      values.put("@DIR@", dir.toString());
      values.put("@HTTPS@", String.valueOf(https));
      values.put("@HTTP@", String.valueOf(http));
      values.put("@CERT@", TestGateway.certificate().certFile().toString());
      values.put("@KEY@", TestGateway.certificate().keyFile().toString());
      Files.writeString(dir.resolve("common.conf"), render("common.conf.in", values));
      Path conf = dir.resolve("nginx.conf");
      Files.writeString(conf, render(template, values));
      process =
          new ProcessBuilder(
                  NGINX.toString(),
                  "-e",
                  dir.resolve("error.log").toString(),
                  "-c",
                  conf.toString(),
                  "-p",
                  dir.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("stdout.log").toFile())
              .start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!accepts(https)) {
        if (System.nanoTime() > deadline || !process.isAlive()) {
          throw new AssertionError(
              "nginx did not start: " + Files.readString(dir.resolve("error.log")));
        }
        Thread.sleep(50);
      }
    }

    private static String render(String resource, Map<String, String> values) throws Exception {
      String text;
      try (var in = NginxTargetsTest.class.getResourceAsStream("/nginx/" + resource)) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      for (Map.Entry<String, String> e : values.entrySet()) {
        text = text.replace(e.getKey(), e.getValue());
      }
      return text;
    }

    private static int freePort() throws Exception {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      }
    }

    private static boolean accepts(int port) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return true;
      } catch (Exception e) {
        return false;
      }
    }

    @Override
    public void close() throws Exception {
      process.destroy();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }

  private static Map<String, String> probe(Nginx target) throws Exception {
    Path json = Files.createTempFile("probe-nginx", ".json");
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    cli.execute(
        "probe",
        "https://localhost:" + target.https,
        "--ca-file",
        TestGateway.certificate().certFile().toString(),
        "--http-port",
        String.valueOf(target.http),
        "--burst",
        "30",
        "--json",
        json.toString());
    Map<String, String> verdicts = new HashMap<>();
    JsonNode report = new ObjectMapper().readTree(json.toFile());
    for (JsonNode f : report.get("findings")) {
      verdicts.put(f.get("id").asText(), f.get("verdict").asText());
      verdicts.put(f.get("id").asText() + ".evidence", f.get("evidence").asText());
    }
    verdicts.put("score", report.get("score").get("value").asText());
    return verdicts;
  }

  @Test
  void hardenedNginxScoresHigh() throws Exception {
    assumeThat(Files.isExecutable(NGINX)).as("nginx is installed by .ci/run").isTrue();
    try (Nginx nginx = new Nginx("hardened.conf.in")) {
      Map<String, String> v = probe(nginx);
      assertThat(Integer.parseInt(v.get("score"))).as(v.toString()).isGreaterThanOrEqualTo(85);
      for (String id :
          new String[] {
            "transport.legacy-tls",
            "transport.cipher-suites",
            "transport.hsts",
            "transport.http-redirect",
            "headers.banners",
            "headers.csp",
            "cors.hostile-origins",
            "errors.unknown-method",
            "limits.rate-limit"
          }) {
        assertThat(v.get(id)).as(id + " in " + v).isEqualTo("pass");
      }
    }
  }

  @Test
  void weakNginxHasEachPlantedWeaknessReported() throws Exception {
    assumeThat(Files.isExecutable(NGINX)).as("nginx is installed by .ci/run").isTrue();
    try (Nginx nginx = new Nginx("weak.conf.in")) {
      Map<String, String> v = probe(nginx);
      for (String id :
          new String[] {
            "transport.legacy-tls",
            "transport.cipher-suites",
            "transport.hsts",
            "transport.http-redirect",
            "headers.banners",
            "headers.csp",
            "headers.frame-protection",
            "cors.hostile-origins",
            "errors.malformed-json",
            "limits.rate-limit"
          }) {
        assertThat(v.get(id)).as(id + " in " + v).isEqualTo("fail");
      }
      assertThat(Integer.parseInt(v.get("score"))).isLessThan(60);
    }
  }
}
