package dev.bulwark.cli;

import static dev.bulwark.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.TestGateway;
import dev.bulwark.testing.TestVault;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vault away when the gateway starts: {@code bulwark run} and {@code check-config} print one error
 * line naming Vault's address and what to do, start nothing and exit 1; with Vault up, the same
 * file is valid.
 */
class VaultAtStartTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  private Path config(String address, Path ca, Path tokenFile) throws Exception {
    var c = TestGateway.certificate();
    return Files.writeString(
        dir.resolve("bulwark.yaml"),
        """
        listen: { https: 127.0.0.1:0, http: 127.0.0.1:0 }
        tls: { cert: %s, key: %s }
        vault:
          address: %s
          ca: %s
          auth: { token: "${file:%s}" }
        auth:
          issuers:
            ci:
              issuer: https://ci.example.com/
              audience: api
              algorithms: [HS256]
              secret: "${vault:secret/data/bulwark#jwt-key}"
        routes:
          - name: api
            match: { path: /api/** }
            upstream: http://127.0.0.1:3000
            auth: { require: authenticated }
        """
            .formatted(c.certFile(), c.keyFile(), address, ca, tokenFile));
  }

  private static List<String> lines(StringWriter out) {
    return Arrays.stream(out.toString().split("\n")).filter(l -> !l.isBlank()).toList();
  }

  @Test
  void vaultDownAtStartIsOneLineAndExitOne() throws Exception {
    try (TestVault vault = TestVault.start(dir)) {
      Path token = Files.writeString(dir.resolve("token"), vault.token(Duration.ZERO, false));
      vault.put("secret", "bulwark", Map.of("jwt-key", "k".repeat(40)));
      StringWriter ok = new StringWriter();
      assertThat(
              run(
                  ok,
                  "check-config",
                  "-c",
                  config(vault.address(), vault.caFile(), token).toString()))
          .as(ok.toString())
          .isZero();

      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      String address = "https://127.0.0.1:" + port;
      Path file = config(address, vault.caFile(), token);
      StringWriter check = new StringWriter();
      assertThat(run(check, "check-config", "-c", file.toString())).isEqualTo(1);
      assertThat(lines(check))
          .filteredOn(l -> l.startsWith("error:"))
          .containsExactly(
              "error: vault: vault token: Vault at "
                  + address
                  + ": connection refused or unreachable; check that Vault runs and is reachable"
                  + " at vault.address");
      StringWriter started = new StringWriter();
      assertThat(run(started, "run", "-c", file.toString())).isEqualTo(1);
      assertThat(lines(started))
          .containsExactly(
              "error: vault: vault token: Vault at "
                  + address
                  + ": connection refused or unreachable; check that Vault runs and is reachable"
                  + " at vault.address",
              "bulwark run: " + file + " refused; nothing started");
    }
  }
}
