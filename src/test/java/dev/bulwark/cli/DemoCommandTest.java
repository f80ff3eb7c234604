package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
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
      String[] args = line.substring("./bulwark ".length()).split(" ");
      StringWriter out = new StringWriter();
      CommandLine cli = Main.commandLine();
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(out, true));
      int exit = cli.execute(args);
      assertThat(out.toString()).as(out.toString()).contains("/100 (A)");
      assertThat(exit).isZero();
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
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
