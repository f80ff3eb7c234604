package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.testing.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets written literally anywhere in the file are refused, every one with its path and at once,
 * and no message repeats the secret; the same settings with a reference in the secret's place load.
 */
class LiteralSecretsTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  private static final String REFUSED =
      """
      store: { redis: "redis://bulwark:hunter2@10.0.0.5:6379" }
      defaults:
        headers:
          set: { Authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.x.y", Cookie: "session=abc123" }
      routes:
        - name: api
          public: true
          match: { path: /api/**, methods: [GET] }
          upstream: http://127.0.0.1:3000
          headers:
            set: { X-Api-Key: k-123456789, X-Debug: "Bearer 0123456789abcdef" }
      """;

  private ConfigLoader.Loaded load(String body) throws Exception {
    var c = TestGateway.certificate();
    Path f =
        Files.writeString(
            dir.resolve("bulwark.yaml"),
            "listen: { https: 127.0.0.1:0 }\ntls: { cert: %s, key: %s }\n"
                    .formatted(c.certFile(), c.keyFile())
                + body);
    return PolicyCatalog.standard()
        .loader(new SecretResolver(Map.of("REDIS_PASSWORD", "p", "API_KEY", "k")::get))
        .load(f);
  }

  @Test
  void everyLiteralSecretIsRefusedWithItsPathAndNeverEchoed() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(REFUSED));
    assertThat(e).isNotNull();
    List<String> errors = e.problems().stream().map(Problem::toString).toList();
    String how =
        " (expected: a reference such as ${env:NAME}, ${file:/run/secrets/name} or"
            + " ${vault:secret/data/bulwark#field})";
    assertThat(errors)
        .contains(
            "store.redis: literal password in a URL" + how,
            "defaults.headers.set.Authorization: literal Authorization value" + how,
            "defaults.headers.set.Cookie: literal Cookie value" + how,
            "routes[0].headers.set.X-Api-Key: literal X-Api-Key value" + how,
            "routes[0].headers.set.X-Debug: literal credential" + how);
    assertThat(String.join("\n", errors))
        .doesNotContain("hunter2")
        .doesNotContain("abc123")
        .doesNotContain("k-123456789")
        .doesNotContain("0123456789abcdef");
  }

  @Test
  void referencesInTheSecretsPlaceLoad() throws Exception {
    String body =
        REFUSED
            .replace("hunter2", "${env:REDIS_PASSWORD}")
            .replace("\"Bearer eyJhbGciOiJIUzI1NiJ9.x.y\"", "\"Bearer ${env:API_KEY}\"")
            .replace("\"session=abc123\"", "\"session=${env:API_KEY}\"")
            .replace("k-123456789", "\"${env:API_KEY}\"")
            .replace("\"Bearer 0123456789abcdef\"", "\"Bearer ${env:API_KEY}\"")
            .replace("redis://", "rediss://");
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(body));
    assertThat(e).as(e == null ? "" : e.problems().toString()).isNull();
  }

  @Test
  void valuesThatOnlyLookLikeCredentialsPass() {
    assertThat(LiteralSecrets.problem("upstream", "https://api.example.com:8443/v1")).isNull();
    assertThat(LiteralSecrets.problem("upstream", "https://user@api.example.com")).isNull();
    assertThat(LiteralSecrets.problem("redis", "redis://:${env:P}@h:6379")).isNull();
    assertThat(LiteralSecrets.problem("authorization", "")).isNull();
    assertThat(LiteralSecrets.problem("x-request-id", "Bearer")).isNull();
    assertThat(LiteralSecrets.problem("redis", "redis://:pw@h:6379")).isNotNull();
  }
}
