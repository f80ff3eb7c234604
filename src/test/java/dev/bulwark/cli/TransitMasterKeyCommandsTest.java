package dev.bulwark.cli;

import static dev.bulwark.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import dev.bulwark.testing.TestVault;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway whose data directory is sealed under a Vault transit key: bans survive a restart,
 * {@code keys rotate} rewraps under the transit key's latest version while the gateway runs, a file
 * master key moves to transit through rotate and retire, and Vault refusing at start stops {@code
 * bulwark run} with one line.
 */
class TransitMasterKeyCommandsTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path tmp;

  @SuppressWarnings("NullAway.Init")
  private TestVault vault;

  @SuppressWarnings("NullAway.Init")
  private Path token;

  @BeforeEach
  void start() throws Exception {
    vault = TestVault.start(tmp);
    vault.transitKey("transit", "bulwark-store");
    token = Files.writeString(tmp.resolve("vault-token"), vault.token(Duration.ZERO, false));
  }

  @AfterEach
  void stop() throws Exception {
    vault.close();
  }

  private String body(String masterKey) {
    return """
        vault:
          address: %s
          ca: %s
          auth: { token: "${file:%s}" }
        store:
          data-dir: %s
          master-key: %s
        routes:
          - name: api
            match: { path: /** }
            upstream: UPSTREAM
            public: true
        """
        .formatted(vault.address(), vault.caFile(), token, tmp.resolve("data"), masterKey);
  }

  private static final String TRANSIT = "{ vault-transit: { key: bulwark-store } }";

  private static String admin(TestGateway gw) {
    return "http://127.0.0.1:" + gw.gateway().adminPort();
  }

  @Test
  void bansSurviveARestartAndKeysRotateRewrapsUnderTheLatestTransitVersion() throws Exception {
    try (StubUpstream upstream = new StubUpstream()) {
      Path config;
      try (TestGateway gw = TestGateway.start(body(TRANSIT), upstream.port())) {
        config = gw.configFile();
        StringWriter out = new StringWriter();
        assertThat(run(out, "bans", "--admin", admin(gw), "add", "127.0.0.1"))
            .as(out.toString())
            .isZero();
        assertThat(gw.get("/x").statusCode()).isEqualTo(403);
        vault.rotateTransitKey("transit", "bulwark-store");
        out = new StringWriter();
        assertThat(run(out, "keys", "rotate", "-c", config.toString())).as(out.toString()).isZero();
        assertThat(out.toString())
            .contains(
                "1 data key(s) wrapped again under the latest version of vault-transit"
                    + " transit/bulwark-store; new data key 2");
      }
      int decrypts = vault.transitDecrypts();
      try (TestGateway gw = TestGateway.startYaml(Files.readString(config))) {
        assertThat(gw.get("/x").statusCode()).as("the ban survived the restart").isEqualTo(403);
      }
      assertThat(vault.transitDecrypts())
          .as("Vault unwrapped both data keys")
          .isEqualTo(decrypts + 2);

      vault.deny("transit/decrypt/");
      StringWriter out = new StringWriter();
      assertThat(run(out, "run", "-c", config.toString())).isEqualTo(RunCommand.EXIT_CANNOT_START);
      String[] lines = out.toString().strip().split("\n");
      assertThat(lines[lines.length - 1])
          .startsWith("bulwark run: " + tmp.resolve("data").resolve("bulwark.db") + ": data key ")
          .contains(
              "store.master-key: transit key transit/bulwark-store: Vault answered 403"
                  + " (permission denied); check vault.auth")
          .doesNotContain("Exception");
    }
  }

  @Test
  void aFileMasterKeyMovesToTransitThroughRotateAndRetire() throws Exception {
    Path key = tmp.resolve("master.key");
    run(new StringWriter(), "keys", "generate", key.toString());
    try (StubUpstream upstream = new StubUpstream()) {
      Path config;
      try (TestGateway gw = TestGateway.start(body("${file:" + key + "}"), upstream.port())) {
        config = gw.configFile();
        run(new StringWriter(), "bans", "--admin", admin(gw), "add", "127.0.0.1");
        StringWriter out = new StringWriter();
        assertThat(run(out, "keys", "rotate", "-c", config.toString()))
            .as("a file key has no versions")
            .isEqualTo(1);
        assertThat(out.toString()).contains("--new-master-key is missing");
        out = new StringWriter();
        assertThat(
                run(
                    out,
                    "keys",
                    "rotate",
                    "-c",
                    config.toString(),
                    "--new-master-key",
                    "vault-transit:transit/bulwark-store"))
            .as(out.toString())
            .isZero();
        assertThat(out.toString())
            .contains("now also wrapped under master key vault-transit:transit/bulwark-store");
      }
      Files.writeString(config, Files.readString(config).replace("${file:" + key + "}", TRANSIT));
      StringWriter out = new StringWriter();
      assertThat(run(out, "keys", "retire", "-c", config.toString())).as(out.toString()).isZero();
      Files.delete(key);
      try (TestGateway gw = TestGateway.startYaml(Files.readString(config))) {
        assertThat(gw.get("/x").statusCode()).as("opened under transit alone").isEqualTo(403);
      }
    }
  }
}
