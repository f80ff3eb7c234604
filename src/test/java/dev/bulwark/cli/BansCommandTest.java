package dev.bulwark.cli;

import static dev.bulwark.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code bulwark bans list|add|remove} against a running gateway's admin listener. */
class BansCommandTest {

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

  @Test
  void anUnreachableListenerOrAMissingOrWrongTokenIsOneLineNamingTheAddressAndWhatToDo()
      throws Exception {
    String token = "cli-bans-token-0123456789abcdefghijklmnop";
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                """
                admin: { token: "${env:BULWARK_ADMIN_TOKEN}" }
                routes:
                  - { name: api, match: { path: /** }, upstream: UPSTREAM, public: true }
                """,
                upstream.port(),
                java.util.Map.of("BULWARK_ADMIN_TOKEN", token))) {
      String admin = "http://127.0.0.1:" + gw.gateway().adminPort();
      java.nio.file.Path right = gw.dir().resolve("right-token");
      java.nio.file.Files.writeString(right, token + "\n");
      java.nio.file.Path wrong = gw.dir().resolve("wrong-token");
      java.nio.file.Files.writeString(wrong, "not-" + token + "\n");
      String yaml =
          java.nio.file.Files.readString(gw.configFile())
              .replace("admin: 127.0.0.1:0", "admin: 127.0.0.1:" + gw.gateway().adminPort());
      java.nio.file.Path withRight = gw.dir().resolve("right.yaml");
      java.nio.file.Files.writeString(
          withRight, yaml.replace("${env:BULWARK_ADMIN_TOKEN}", "${file:" + right + "}"));
      java.nio.file.Path withWrong = gw.dir().resolve("wrong.yaml");
      java.nio.file.Files.writeString(
          withWrong, yaml.replace("${env:BULWARK_ADMIN_TOKEN}", "${file:" + wrong + "}"));

      CliRun ok = CliRun.of("bans", "-c", withRight.toString(), "add", "192.0.2.7");
      assertThat(ok.status()).as(ok.err()).isZero();
      assertThat(ok.out()).startsWith("banned: {").contains("\"192.0.2.7\"").endsWith("}\n");
      assertThat(ok.err()).isEmpty();
      CliRun listed = CliRun.of("bans", "-c", withRight.toString(), "list");
      assertThat(listed.out()).startsWith(String.format("%-39s until ", "192.0.2.7"));
      CliRun removed = CliRun.of("bans", "-c", withRight.toString(), "remove", "192.0.2.7");
      assertThat(removed.out()).isEqualTo("unbanned: 192.0.2.7\n");

      CliRun wrongToken = CliRun.of("bans", "-c", withWrong.toString(), "list");
      assertThat(wrongToken.status()).isEqualTo(1);
      assertThat(wrongToken.out()).isEmpty();
      assertThat(wrongToken.err())
          .isEqualTo(
              "bulwark bans: refused (401): unauthorized (the admin listener at "
                  + admin
                  + " refuses the admin.token of "
                  + withWrong
                  + ": give -c with the file the gateway runs with)\n");

      if (System.getenv("BULWARK_ADMIN_TOKEN") == null) {
        CliRun noToken = CliRun.of("bans", "--admin", admin, "list");
        assertThat(noToken.status()).isEqualTo(1);
        assertThat(noToken.err())
            .isEqualTo(
                "bulwark bans: refused (401): unauthorized (the admin listener at "
                    + admin
                    + " asks for its token: set BULWARK_ADMIN_TOKEN, or give -c with the file"
                    + " whose admin.token it uses)\n");
      }
    }
    CliRun down = CliRun.of("bans", "--admin", "http://127.0.0.1:1", "list");
    assertThat(down.status()).isEqualTo(1);
    assertThat(down.out()).isEmpty();
    assertThat(down.err())
        .isEqualTo(
            "bulwark bans: cannot reach the admin listener at http://127.0.0.1:1: connection"
                + " refused (is the gateway running, with listen.admin at this address?)\n");
    CliRun notUrl = CliRun.of("bans", "--admin", "127.0.0.1:9090", "list");
    assertThat(notUrl.status()).isEqualTo(1);
    assertThat(notUrl.err().lines()).hasSize(1);
    assertThat(notUrl.err()).contains("127.0.0.1:9090").contains("http://127.0.0.1:9090");
  }
}
