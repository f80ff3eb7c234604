package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bulwark demo} starts even when its default ports are taken, its banner carries the exact
 * {@code bulwark probe} line that grades it (an A), and a good reload is confirmed on the console.
 */
class DemoCommandTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  /** Holds the demo's default ports (those not already held by another process). */
  private static List<ServerSocket> holdDefaultPorts() {
    List<ServerSocket> held = new ArrayList<>();
    for (int port : new int[] {8443, 8080, 9090}) {
      try {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress("127.0.0.1", port));
        held.add(s);
      } catch (IOException e) {
        // Already busy: just as good for this test.
      }
    }
    return held;
  }

  private DemoCommand.Running startDemo() throws Exception {
    DemoCommand demo = new DemoCommand();
    new CommandLine(demo).parseArgs("--dir", dir.toString());
    return demo.start();
  }

  @Test
  void theDemoStartsOnFreePortsWhenItsDefaultPortsAreBusy() throws Exception {
    List<ServerSocket> held = holdDefaultPorts();
    try (DemoCommand.Running demo = startDemo()) {
      assertThat(demo.gateway().httpsPort()).isNotIn(8443, 0);
      assertThat(demo.gateway().httpPort()).isNotIn(8080, 0);
      assertThat(demo.gateway().adminPort()).isNotIn(9090, 0);
      assertThat(demo.banner())
          .contains("https://localhost:" + demo.gateway().httpsPort() + "/api/hello")
          .contains(
              "port 8443 is busy, so a free port is used instead (choose one with --https-port)")
          .contains("port 8080 is busy")
          .contains("port 9090 is busy");
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }

  @Test
  void theProbeLineInTheBannerGradesTheDemoA() throws Exception {
    List<ServerSocket> held = holdDefaultPorts();
    try (DemoCommand.Running demo = startDemo()) {
      String line =
          Arrays.stream(demo.banner().split("\n"))
              .map(String::strip)
              .filter(l -> l.startsWith("./bulwark probe "))
              .findFirst()
              .orElseThrow();
      assertThat(line)
          .isEqualTo(
              "./bulwark probe https://localhost:"
                  + demo.gateway().httpsPort()
                  + "/api/hello --ca-file "
                  + dir.resolve("tls.crt")
                  + " --http-port "
                  + demo.gateway().httpPort());
      StringWriter out = new StringWriter();
      int exit = runPrinted(line, out);
      assertThat(out.toString()).as(out.toString()).contains("/100 (A)");
      assertThat(exit).isZero();
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }

  /** Returns the banner's line that starts with {@code prefix}, stripped. */
  private static String line(String banner, String prefix) {
    return Arrays.stream(banner.split("\n"))
        .map(String::strip)
        .filter(l -> l.startsWith(prefix))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line " + prefix + " in\n" + banner));
  }

  private static int runPrinted(String line, StringWriter out) {
    return CliRun.run(out, line.substring("./bulwark ".length()).split(" "));
  }

  @Test
  void theDemoWritesATrailItsPrintedVerifyLineProvesAndServesTheDashboardBehindItsToken()
      throws Exception {
    List<ServerSocket> held = holdDefaultPorts();
    String verify;
    try (DemoCommand.Running demo = startDemo()) {
      String banner = demo.banner();
      int admin = demo.gateway().adminPort();
      String dashboard = "http://127.0.0.1:" + admin + "/dashboard";
      assertThat(line(banner, dashboard)).contains("sign in with the admin token");
      String token = line(banner, "export BULWARK_ADMIN_TOKEN=").substring(27);
      assertThat(token).hasSizeGreaterThanOrEqualTo(32);
      assertThat(banner).contains("(the admin token of this run: " + token + ")");
      verify = line(banner, "./bulwark audit verify ");
      assertThat(verify)
          .isEqualTo(
              "./bulwark audit verify "
                  + dir.resolve("data").resolve("audit.log")
                  + " --public-key "
                  + dir.resolve("data").resolve("audit-signing.pub"));

      java.net.http.HttpClient http =
          java.net.http.HttpClient.newBuilder()
              .version(java.net.http.HttpClient.Version.HTTP_1_1)
              .build();
      java.net.http.HttpResponse<String> page =
          http.send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(dashboard + "/sign-in"))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("Bulwark security dashboard").contains("Admin token");
      // The admin listener wants the token: a call without it is refused (and is a security
      // event for the trail); the printed token signs in to the dashboard.
      assertThat(
              http.send(
                      java.net.http.HttpRequest.newBuilder(
                              java.net.URI.create("http://127.0.0.1:" + admin + "/metrics"))
                          .build(),
                      java.net.http.HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(401);
      java.net.http.HttpResponse<String> signedIn =
          http.send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(dashboard + "/sign-in"))
                  .header("content-type", "application/x-www-form-urlencoded")
                  .header("origin", "http://127.0.0.1:" + admin)
                  .POST(java.net.http.HttpRequest.BodyPublishers.ofString("token=" + token))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(303);
      assertThat(signedIn.headers().firstValue("set-cookie")).isPresent();

      // While it runs, the printed line proves the trail (the refused call is in it).
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      StringWriter out = new StringWriter();
      int exit;
      do {
        out.getBuffer().setLength(0);
        exit = runPrinted(verify, out);
        if (out.toString().contains("intact: 1 records")) {
          Thread.sleep(100); // only the start record yet: wait for the refused call's
        }
      } while ((exit != 0 || out.toString().contains("intact: 1 records"))
          && System.nanoTime() < deadline);
      assertThat(exit).as(out.toString()).isZero();
      assertThat(out.toString()).contains(": intact: ");
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
    // Stopped, the trail ends with a signed checkpoint and still verifies.
    StringWriter out = new StringWriter();
    assertThat(runPrinted(verify, out)).as(out.toString()).isZero();
    assertThat(out.toString()).contains(": intact: ").doesNotContain("intact: 1 records");
  }

  @Test
  void aGoodReloadIsConfirmedOnTheDemosConsole() throws Exception {
    Logger root = Logger.getLogger("");
    Handler[] before = root.getHandlers();
    java.util.logging.Level rootLevel = root.getLevel();
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream err = System.err;
    System.setErr(new PrintStream(console, true, StandardCharsets.UTF_8));
    try {
      DemoCommand.showReloadsOnConsole();
      try (DemoCommand.Running demo = startDemo()) {
        Path config = dir.resolve("bulwark.yaml");
        Files.writeString(config, Files.readString(config) + "# edited\n");
        demo.gateway().reload();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!console.toString(StandardCharsets.UTF_8).contains("configuration reloaded")
            && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
      }
    } finally {
      System.setErr(err);
      for (Handler h : root.getHandlers()) {
        root.removeHandler(h);
      }
      for (Handler h : before) {
        root.addHandler(h);
      }
      root.setLevel(rootLevel);
    }
    assertThat(console.toString(StandardCharsets.UTF_8))
        .contains("INFO Gateway: configuration reloaded from " + dir.resolve("bulwark.yaml"));
  }
}
