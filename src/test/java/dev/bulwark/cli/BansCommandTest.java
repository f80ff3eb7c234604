package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code bulwark bans list|add|remove} against a running gateway's admin listener. */
class BansCommandTest {

  private static int run(StringWriter out, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    return cli.execute(args);
  }

  @Test
  void addListAndRemoveABanThroughTheAdminListener() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                """
                routes:
                  - name: api
                    match: { path: /** }
                    upstream: UPSTREAM
                    public: true
                """,
                upstream.port())) {
      String admin = "http://127.0.0.1:" + gw.gateway().adminPort();
      // -c reads the admin address from a configuration (the test's listens on port 0).
      java.nio.file.Path config = gw.dir().resolve("with-admin-port.yaml");
      java.nio.file.Files.writeString(
          config,
          java.nio.file.Files.readString(gw.configFile())
              .replace("admin: 127.0.0.1:0", "admin: 127.0.0.1:" + gw.gateway().adminPort()));
      StringWriter out = new StringWriter();
      assertThat(run(out, "bans", "-c", config.toString(), "list")).as(out.toString()).isZero();
      assertThat(out.toString()).contains("no active bans");

      out = new StringWriter();
      assertThat(
              run(
                  out,
                  "bans",
                  "--admin",
                  admin,
                  "add",
                  "127.0.0.1",
                  "--duration",
                  "10m",
                  "--reason",
                  "manual test"))
          .as(out.toString())
          .isZero();
      assertThat(gw.get("/x").statusCode()).isEqualTo(403);
      gw.awaitLine("\"event\":\"ban\"", "\"rule\":\"admin\"", "manual test");

      out = new StringWriter();
      assertThat(run(out, "bans", "--admin", admin, "list")).isZero();
      assertThat(out.toString()).contains("127.0.0.1", "by admin", "manual test");

      out = new StringWriter();
      assertThat(run(out, "bans", "--admin", admin, "remove", "127.0.0.1")).isZero();
      assertThat(gw.get("/x").statusCode()).isEqualTo(200);

      out = new StringWriter();
      assertThat(run(out, "bans", "--admin", admin, "remove", "127.0.0.1")).isEqualTo(1);
      assertThat(out.toString()).contains("refused (404)");
      out = new StringWriter();
      assertThat(run(out, "bans", "--admin", admin, "add", "not-an-address")).isEqualTo(1);
      assertThat(out.toString()).contains("refused (400)");
      out = new StringWriter();
      assertThat(run(out, "bans", "--admin", "http://127.0.0.1:1", "list")).isEqualTo(1);
      assertThat(out.toString()).contains("cannot reach the admin listener");
    }
  }
}
