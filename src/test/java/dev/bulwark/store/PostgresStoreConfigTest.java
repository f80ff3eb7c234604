package dev.bulwark.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.server.SelfSignedCertificate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code store.postgres}: read beside Redis or the embedded store, and every mistake by path. */
class PostgresStoreConfigTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  static Path dir;

  @SuppressWarnings("NullAway.Init")
  private static SelfSignedCertificate cert;

  @BeforeAll
  static void certificate() throws Exception {
    cert = SelfSignedCertificate.generate(dir, List.of("localhost"));
  }

  private static String yaml(String store) {
    return """
        listen: { https: 127.0.0.1:0 }
        tls: { cert: %s, key: %s }
        store: %s
        routes:
          - { name: api, match: { path: /** }, upstream: "http://127.0.0.1:3000", public: true }
        """
        .formatted(cert.certFile(), cert.keyFile(), store);
  }

  private static ConfigLoader.Loaded loaded(String store) throws ConfigException {
    return PolicyCatalog.standard()
        .loader(
            new SecretResolver(
                name ->
                    switch (name) {
                      case "KEY" -> "a2V5LXRleHQ=";
                      case "PGPASS" -> "pg-secret";
                      default -> null;
                    }))
        .parse(yaml(store), dir.resolve("bulwark.yaml"), dir);
  }

  private static StoreConfig load(String store) throws ConfigException {
    return loaded(store).config().store();
  }

  private static List<String> errors(String store) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(store));
    assertThat(e).as("refused: " + store).isNotNull();
    return e.problems().stream().map(Object::toString).toList();
  }

  @Test
  void postgresBesideRedisIsReadWithItsPoolSchemaAndSecretPassword() throws Exception {
    StoreConfig c =
        load(
            "{ redis: \"redis://127.0.0.1:6379\", master-key: \"${env:KEY}\", postgres: { url:"
                + " \"postgresql://127.0.0.1:5432/bulwark\", user: gateway, password:"
                + " \"${env:PGPASS}\", pool: { size: 8, timeout: 500ms }, schema: accounts } }");
    assertThat(c.cluster()).isTrue();
    assertThat(c.holdsAccounts()).isTrue();
    StoreConfig.Postgres p = Objects.requireNonNull(c.postgres());
    assertThat(p.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/bulwark");
    assertThat(p.address()).isEqualTo("127.0.0.1:5432");
    assertThat(p.user()).isEqualTo("gateway");
    assertThat(p.password()).isEqualTo("pg-secret");
    assertThat(p.poolSize()).isEqualTo(8);
    assertThat(p.poolTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(p.schema()).isEqualTo("accounts");
    assertThat(p.toString()).doesNotContain("pg-secret");
    assertThat(c.toString()).doesNotContain("pg-secret").doesNotContain("a2V5LXRleHQ=");
    assertThat(Objects.requireNonNull(c.masterKey()).reference()).isEqualTo("${env:KEY}");
  }

  @Test
  void aBareUrlBesideTheEmbeddedStoreTakesTheDefaults() throws Exception {
    StoreConfig c =
        load("{ postgres: \"postgresql://localhost/test\", master-key: \"${env:KEY}\" }");
    assertThat(c.cluster()).isFalse();
    assertThat(c.durable()).isFalse();
    StoreConfig.Postgres p = Objects.requireNonNull(c.postgres());
    assertThat(p.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/test");
    assertThat(p.poolSize()).isEqualTo(4);
    assertThat(p.poolTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.schema()).isEqualTo("bulwark");
    assertThat(p.user()).isNull();
  }

  @Test
  void redisAloneHoldsNoAccounts() throws Exception {
    StoreConfig c = load("{ redis: \"redis://127.0.0.1:6379\" }");
    assertThat(c.holdsAccounts()).isFalse();
    assertThat(load("embedded").holdsAccounts()).isTrue();
  }

  @Test
  void everyMistakeIsReportedAtOnceWithItsPath() {
    assertThat(
            errors(
                "{ redis: \"redis://127.0.0.1:6379\", postgres: { url: \"mysql://h/db\", password:"
                    + " hunter2, pool: { size: 0, timeout: 1h }, schema: \"Bad-Name\", port: 1 } }"))
        .containsExactlyInAnyOrder(
            "store.master-key: missing (expected: a secret reference such as"
                + " ${file:/etc/bulwark/master.key}; accounts in store.postgres are sealed under"
                + " it)",
            "store.postgres.port: unknown key (expected one of: password, pool, schema, url,"
                + " user)",
            "store.postgres.url: \"mysql://h/db\" (expected: a PostgreSQL URL such as"
                + " postgresql://127.0.0.1:5432/bulwark)",
            "store.postgres.pool.size: 0 (expected: between 1 and 64)",
            "store.postgres.pool.timeout: \"1h\" (expected: between 250ms and 30s)",
            "store.postgres.schema: Bad-Name (expected: a schema name of lower-case letters,"
                + " digits and _, such as bulwark)",
            "store.postgres.password: literal password value (expected: a reference such as"
                + " ${env:NAME}, ${file:/run/secrets/name} or"
                + " ${vault:secret/data/bulwark#field})");
  }

  @Test
  void aBadUrlLiteralPasswordBadPoolAndSchemaAreEachReported() {
    List<String> e =
        errors(
            "{ master-key: \"${env:KEY}\", postgres: { url: \"mysql://h/db\", password: hunter2,"
                + " pool: { size: 0, timeout: 1h }, schema: \"Bad-Name\" } }");
    assertThat(e)
        .anyMatch(s -> s.startsWith("store.postgres.url: ") && s.contains("postgresql://"))
        .anyMatch(s -> s.startsWith("store.postgres.password: literal password value"))
        .anyMatch(s -> s.startsWith("store.postgres.pool.size: "))
        .anyMatch(s -> s.startsWith("store.postgres.pool.timeout: "))
        .anyMatch(s -> s.startsWith("store.postgres.schema: Bad-Name"));
    assertThat(e.toString()).doesNotContain("hunter2");
    assertThat(
            errors("{ master-key: \"${env:KEY}\", postgres: \"postgresql://u:pw@127.0.0.1/db\" }"))
        .anyMatch(s -> s.startsWith("store.postgres: credentials in the URL"));
  }

  @Test
  void aRemoteServerWithoutVerifiedTlsIsWarnedAbout() throws Exception {
    ConfigLoader.Loaded c =
        loaded("{ master-key: \"${env:KEY}\", postgres: \"postgresql://db.internal/bulwark\" }");
    assertThat(c.warnings().stream().map(Object::toString))
        .anyMatch(w -> w.startsWith("store.postgres: ") && w.contains("sslmode=verify-full"));
    ConfigLoader.Loaded tls =
        loaded(
            "{ master-key: \"${env:KEY}\", postgres:"
                + " \"postgresql://db.internal/bulwark?sslmode=verify-full\" }");
    assertThat(tls.warnings().stream().map(Object::toString))
        .noneMatch(w -> w.startsWith("store.postgres"));
  }
}
