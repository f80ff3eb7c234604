package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import dev.bulwark.testing.TestVault;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret rotated in Vault reaches the running gateway without a restart, through the same
 * validated reload as a file change: a good new value is applied (and audited), a bad one is
 * refused while the old value keeps serving (event and metric), and Vault going away mid-run
 * changes nothing but the alerts.
 */
class SecretRotationTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  private static final String KEY_A = "a".repeat(40);
  private static final String KEY_B = "b".repeat(40);
  private static final String KEY_C = "c".repeat(40);

  private static String config(TestVault vault, Path tokenFile) {
    return """
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
            upstream: UPSTREAM
            auth: { require: authenticated }
        """
        .formatted(vault.address(), vault.caFile(), tokenFile);
  }

  private static String token(String key) throws Exception {
    long now = System.currentTimeMillis();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.HS256),
            new JWTClaimsSet.Builder()
                .issuer("https://ci.example.com/")
                .audience("api")
                .subject("ci-bot")
                .issueTime(new Date(now - 1000))
                .expirationTime(new Date(now + 600_000))
                .build());
    jwt.sign(new MACSigner(key.getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  private static int call(TestGateway gw, String key) throws Exception {
    return gw.client()
        .send(
            HttpRequest.newBuilder(URI.create(gw.url("/api/x")))
                .header("Authorization", "Bearer " + token(key))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  /** Checks the secrets, which must have changed, and returns what the reload did. */
  private static Gateway.ReloadResult rotate(Gateway g) {
    Gateway.Reload r = g.reloadIfSecretsChanged();
    assertThat(r).as("a secret changed, so a reload ran").isNotNull();
    return java.util.Objects.requireNonNull(r).result();
  }

  @Test
  void aRotatedSecretIsAppliedABadOneRefusedAndAnOutageOnlyAlerts() throws Exception {
    try (TestVault vault = TestVault.start(dir);
        StubUpstream upstream = new StubUpstream()) {
      Path tokenFile = Files.writeString(dir.resolve("token"), vault.token(Duration.ZERO, false));
      vault.put("secret", "bulwark", Map.of("jwt-key", KEY_A));
      try (TestGateway gw = TestGateway.start(config(vault, tokenFile), upstream.port())) {
        Gateway g = gw.gateway();
        assertThat(call(gw, KEY_A)).isEqualTo(200);
        assertThat(call(gw, KEY_B)).isEqualTo(401);
        assertThat(g.reloadIfSecretsChanged()).as("nothing changed").isNull();

        vault.put("secret", "bulwark", Map.of("jwt-key", KEY_B));
        assertThat(rotate(g)).isEqualTo(Gateway.ReloadResult.APPLIED);
        assertThat(call(gw, KEY_B)).isEqualTo(200);
        assertThat(call(gw, KEY_A)).isEqualTo(401);
        assertThat(gw.awaitLine("\"event\":\"secret-rotated\""))
            .contains("\"secrets\":\"${vault:secret/data/bulwark#jwt-key}\"")
            .doesNotContain(KEY_B);

        vault.put("secret", "bulwark", Map.of("jwt-key", "too-short"));
        assertThat(rotate(g)).isEqualTo(Gateway.ReloadResult.REFUSED);
        assertThat(call(gw, KEY_B)).as("the old value keeps serving").isEqualTo(200);
        assertThat(gw.awaitLine("\"event\":\"secret-rotation-refused\""))
            .contains("auth.issuers.ci.secret")
            .doesNotContain("too-short");
        assertThat(g.metrics().scrape())
            .contains("bulwark_secret_rotations_total{result=\"refused\"} 1.0")
            .contains("bulwark_secret_rotations_total{result=\"applied\"} 1.0");
        assertThat(g.reloadIfSecretsChanged()).as("refused once, not on every check").isNull();

        vault.put("secret", "bulwark", Map.of("jwt-key", KEY_C));
        assertThat(rotate(g)).isEqualTo(Gateway.ReloadResult.APPLIED);
        vault.failWith(503);
        assertThat(g.reloadIfSecretsChanged()).isNull();
        assertThat(gw.awaitLine("\"event\":\"secret-unavailable\""))
            .contains("\"source\":\"" + vault.address() + "\"")
            .contains("answered 503");
        assertThat(g.metrics().scrape()).contains("bulwark_secret_source_failures_total 1.0");
        assertThat(g.reload())
            .as("a file reload while Vault is down uses the last good value")
            .allMatch(p -> p.severity() == dev.bulwark.config.Problem.Severity.WARNING);
        assertThat(call(gw, KEY_C)).isEqualTo(200);
      }
    }
  }

  @Test
  void aReloadReadsTheSecretsAgainAsSighupDoes() throws Exception {
    try (TestVault vault = TestVault.start(dir);
        StubUpstream upstream = new StubUpstream()) {
      Path tokenFile = Files.writeString(dir.resolve("token"), vault.token(Duration.ZERO, false));
      vault.put("secret", "bulwark", Map.of("jwt-key", KEY_A));
      try (TestGateway gw = TestGateway.start(config(vault, tokenFile), upstream.port())) {
        vault.put("secret", "bulwark", Map.of("jwt-key", KEY_B));
        gw.gateway().reload();
        assertThat(call(gw, KEY_B)).isEqualTo(200);
        assertThat(call(gw, KEY_A)).isEqualTo(401);
      }
    }
  }

  @Test
  void duringTheOverlapTokensSignedWithTheOldAndTheNewSecretBothVerify() throws Exception {
    try (TestVault vault = TestVault.start(dir);
        StubUpstream upstream = new StubUpstream()) {
      Path tokenFile = Files.writeString(dir.resolve("token"), vault.token(Duration.ZERO, false));
      vault.put("secret", "bulwark", Map.of("jwt-key", KEY_A, "jwt-key-previous", KEY_A));
      String overlapping =
          config(vault, tokenFile)
              .replace(
                  "secret: \"${vault:secret/data/bulwark#jwt-key}\"",
                  "secret:\n          - \"${vault:secret/data/bulwark#jwt-key}\"\n"
                      + "          - \"${vault:secret/data/bulwark#jwt-key-previous}\"");
      assertThat(overlapping).contains("jwt-key-previous");
      try (TestGateway gw = TestGateway.start(overlapping, upstream.port())) {
        Gateway g = gw.gateway();
        assertThat(call(gw, KEY_A)).isEqualTo(200);
        // Rotation starts: the new secret signs, the old one still verifies.
        vault.put("secret", "bulwark", Map.of("jwt-key", KEY_B, "jwt-key-previous", KEY_A));
        assertThat(rotate(g)).isEqualTo(Gateway.ReloadResult.APPLIED);
        assertThat(call(gw, KEY_B)).isEqualTo(200);
        assertThat(call(gw, KEY_A)).isEqualTo(200);
        // Overlap over (the old tokens have expired): the old secret is dropped.
        vault.put("secret", "bulwark", Map.of("jwt-key", KEY_B, "jwt-key-previous", KEY_B));
        assertThat(rotate(g)).isEqualTo(Gateway.ReloadResult.APPLIED);
        assertThat(call(gw, KEY_B)).isEqualTo(200);
        assertThat(call(gw, KEY_A)).isEqualTo(401);
      }
    }
  }
}
