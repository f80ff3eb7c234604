package dev.bulwark.cli;

import static dev.bulwark.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bulwark keys}, {@code backup}, {@code backup verify} and {@code restore} on a gateway with
 * an embedded data directory: bans survive a restart, a backup taken while it runs restores after
 * the directory is wiped, and a restore under the running gateway is refused.
 */
class DurableStateCommandsTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path tmp;

  private String body(Path key) {
    return """
        store:
          data-dir: %s
          master-key: ${file:%s}
        routes:
          - name: api
            match: { path: /** }
            upstream: UPSTREAM
            public: true
        """
        .formatted(tmp.resolve("data"), key);
  }

  private static String admin(TestGateway gw) {
    return "http://127.0.0.1:" + gw.gateway().adminPort();
  }

  @Test
  void bansSurviveARestartAndABackupRestoresThemAfterTheDirectoryIsWiped() throws Exception {
    Path key = tmp.resolve("master.key");
    StringWriter out = new StringWriter();
    assertThat(run(out, "keys", "generate", key.toString())).as(out.toString()).isZero();
    assertThat(out.toString()).contains("new master key ", "${file:" + key + "}");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    out = new StringWriter();
    assertThat(run(out, "keys", "generate", key.toString())).isEqualTo(1);
    assertThat(out.toString()).contains("exists (a key is never overwritten)");

    Path archive = tmp.resolve("bulwark-backup.bwk");
    Path config;
    try (StubUpstream upstream = new StubUpstream()) {
      try (TestGateway gw = TestGateway.start(body(key), upstream.port())) {
        config = gw.configFile();
        out = new StringWriter();
        assertThat(
                run(out, "bans", "--admin", admin(gw), "add", "127.0.0.1", "--reason", "durable"))
            .as(out.toString())
            .isZero();
        assertThat(gw.get("/x").statusCode()).isEqualTo(403);

        out = new StringWriter();
        assertThat(run(out, "restore", "-c", config.toString(), "--from", archive.toString()))
            .isEqualTo(1);
        assertThat(out.toString())
            .startsWith("bulwark restore: refusing to restore: " + tmp.resolve("data"))
            .contains("is held by a running Bulwark (pid " + ProcessHandle.current().pid() + ")");

        out = new StringWriter();
        assertThat(run(out, "backup", "-c", config.toString(), "--to", archive.toString()))
            .as(out.toString())
            .isZero();
        assertThat(out.toString()).contains(archive + ": written (1 bans, 1 data key(s)");
      }

      out = new StringWriter();
      assertThat(run(out, "backup", "verify", "-c", config.toString(), archive.toString()))
          .as(out.toString())
          .isZero();
      assertThat(out.toString()).contains(archive + ": verified (1 bans");

      try (TestGateway gw = TestGateway.startYaml(Files.readString(config))) {
        assertThat(gw.get("/x").statusCode()).as("the ban survived the restart").isEqualTo(403);
        out = new StringWriter();
        assertThat(run(out, "bans", "--admin", admin(gw), "list")).isZero();
        assertThat(out.toString()).contains("127.0.0.1", "durable");
      }

      try (var files = Files.list(tmp.resolve("data"))) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      try (TestGateway gw = TestGateway.startYaml(Files.readString(config))) {
        assertThat(gw.get("/x").statusCode()).as("wiped: no ban").isEqualTo(200);
      }
      out = new StringWriter();
      assertThat(run(out, "restore", "-c", config.toString(), "--from", archive.toString()))
          .as(out.toString())
          .isZero();
      assertThat(out.toString()).contains("restored from " + archive + " (1 bans");
      try (TestGateway gw = TestGateway.startYaml(Files.readString(config))) {
        assertThat(gw.get("/x").statusCode()).as("restored").isEqualTo(403);
      }
    }
  }

  @Test
  void keysRotateThenRetireWhileTheDataStaysReadable() throws Exception {
    Path key = tmp.resolve("master.key");
    Path next = tmp.resolve("master-2.key");
    run(new StringWriter(), "keys", "generate", key.toString());
    run(new StringWriter(), "keys", "generate", next.toString());
    try (StubUpstream upstream = new StubUpstream()) {
      Path config;
      try (TestGateway gw = TestGateway.start(body(key), upstream.port())) {
        config = gw.configFile();
        run(new StringWriter(), "bans", "--admin", admin(gw), "add", "127.0.0.1");
        StringWriter out = new StringWriter();
        // While the gateway runs.
        assertThat(
                run(
                    out,
                    "keys",
                    "rotate",
                    "-c",
                    config.toString(),
                    "--new-master-key",
                    "${file:" + next + "}"))
            .as(out.toString())
            .isZero();
        assertThat(out.toString())
            .contains("1 data key(s) now also wrapped under master key")
            .contains("new data key 2");
        assertThat(gw.get("/x").statusCode()).isEqualTo(403);
      }
      Files.writeString(config, Files.readString(config).replace(key.toString(), next.toString()));
      StringWriter out = new StringWriter();
      assertThat(run(out, "keys", "retire", "-c", config.toString())).as(out.toString()).isZero();
      assertThat(out.toString()).contains("2 wrapped key(s) under other master keys deleted");
      try (TestGateway gw = TestGateway.startYaml(Files.readString(config))) {
        assertThat(gw.get("/x").statusCode()).isEqualTo(403);
      }
      out = new StringWriter();
      assertThat(
              run(
                  out,
                  "keys",
                  "rotate",
                  "-c",
                  config.toString(),
                  "--new-master-key",
                  "bm90LWEtcmVmZXJlbmNl"))
          .isEqualTo(1);
      assertThat(out.toString())
          .contains("--new-master-key: a literal key (expected: a secret reference");
    }
  }

  @Test
  void aGatewayWhoseDataFileCannotBeOpenedStopsWithOneLine() throws Exception {
    Path key = tmp.resolve("master.key");
    run(new StringWriter(), "keys", "generate", key.toString());
    Path data = tmp.resolve("data");
    Files.createDirectories(data);
    Files.writeString(data.resolve("bulwark.db"), "not a database\n".repeat(100));
    Path config = tmp.resolve("bulwark.yaml");
    Files.writeString(config, TestGateway.yaml(body(key), 1));
    StringWriter out = new StringWriter();
    assertThat(run(out, "run", "-c", config.toString())).isEqualTo(RunCommand.EXIT_CANNOT_START);
    String[] lines = out.toString().strip().split("\n");
    // The configuration's lint warnings come first; the refusal is the one last line.
    assertThat(lines[lines.length - 1])
        .startsWith("bulwark run: " + data.resolve("bulwark.db") + " cannot be opened (")
        .endsWith("or point store.data-dir at an empty directory")
        .doesNotContain("Exception");
    assertThat(lines).allMatch(l -> l.startsWith("warning: ") || l.startsWith("bulwark run: "));
  }

  @Test
  void commandsOnAConfigWithoutADataDirectorySaySo() throws Exception {
    Path config = tmp.resolve("bulwark.yaml");
    Files.writeString(
        config,
        TestGateway.yaml(
            """
            routes:
              - name: api
                match: { path: /** }
                upstream: UPSTREAM
                public: true
            """,
            1));
    StringWriter out = new StringWriter();
    assertThat(run(out, "backup", "-c", config.toString(), "--to", tmp.resolve("b").toString()))
        .isEqualTo(1);
    assertThat(out.toString())
        .contains("sets no store.data-dir, so the gateway keeps no durable state");
  }
}
