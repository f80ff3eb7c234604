package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.policy.PolicyCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code audit.postgres}: on only with {@code store.postgres} (else an error at its path), alone or
 * beside {@code audit.file}.
 */
class AuditPostgresConfigTest {
  private static final String KEY = "${env:MASTER}";
  private static final String HEAD =
      """
      listen: { https: 127.0.0.1:8443 }
      tls: { cert: tls.crt, key: tls.key }
      routes:
        - { name: api, public: true, match: { path: /** }, upstream: "http://127.0.0.1:3000" }
      """;

  private static BulwarkConfig load(String yaml) throws Exception {
    Path dir = Files.createTempDirectory("audit-config");
    dev.bulwark.server.SelfSignedCertificate.generate(dir, List.of("localhost"));
    Map<String, String> env = Map.of("MASTER", dev.bulwark.store.sealed.MasterKey.generateText());
    return PolicyCatalog.standard()
        .loader(new SecretResolver(env::get))
        .parse(HEAD + yaml.replace("DIR", dir.toString()), dir.resolve("b.yaml"), dir)
        .config();
  }

  private static List<String> errors(String yaml) {
    try {
      load(yaml);
    } catch (ConfigException e) {
      return e.problems().stream().map(Problem::toString).toList();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("loaded: " + yaml);
  }

  @Test
  void postgresWithoutStorePostgresIsAnErrorAtItsPath() {
    assertThat(errors("audit: { postgres: true }\n"))
        .containsExactly(
            "audit.postgres: needs store.postgres (expected: store.postgres with the database the"
                + " records go to; they are sealed under its data keys)");
  }

  @Test
  void postgresAloneNeedsNoDataDirectory() throws Exception {
    AuditConfig a =
        load("""
                store:
                  master-key: %s
                  postgres: postgresql://127.0.0.1:5432/bulwark
                audit: { postgres: true, checkpoint-every: 10 }
                """
                .formatted(KEY))
            .audit();
    assertThat(a.postgres()).isTrue();
    assertThat(a.file()).isNull();
    assertThat(a.enabled()).isTrue();
    assertThat(a.checkpointEvery()).isEqualTo(10);
  }

  @Test
  void postgresAndAFileAtOnce() throws Exception {
    AuditConfig a =
        load("""
                store:
                  data-dir: DIR/data
                  master-key: %s
                  postgres: postgresql://127.0.0.1:5432/bulwark
                audit: { postgres: true, file: audit.log }
                """
                .formatted(KEY))
            .audit();
    assertThat(a.postgres()).isTrue();
    assertThat(a.file()).isNotNull();
  }

  @Test
  void aFileBesidePostgresStillNeedsADataDirectory() {
    assertThat(
            errors(
                """
                store:
                  master-key: %s
                  postgres: postgresql://127.0.0.1:5432/bulwark
                audit: { postgres: true, file: audit.log }
                """
                    .formatted(KEY)))
        .singleElement()
        .asString()
        .startsWith("audit.file: needs an encrypted data directory");
  }

  @Test
  void postgresIsABoolean() {
    assertThat(errors("audit: { postgres: yes-please }\n"))
        .singleElement()
        .asString()
        .startsWith("audit.postgres: ");
  }

  @Test
  void postgresRetentionIsADurationOfAtLeastADayBesidePostgres() throws Exception {
    AuditConfig a =
        load("""
                store:
                  master-key: %s
                  postgres: postgresql://127.0.0.1:5432/bulwark
                audit: { postgres: true, postgres-retention: 90d }
                """
                .formatted(KEY))
            .audit();
    assertThat(a.postgresRetention()).isEqualTo(java.time.Duration.ofDays(90));
    assertThat(
            load("""
                    store:
                      master-key: %s
                      postgres: postgresql://127.0.0.1:5432/bulwark
                    audit: { postgres: true }
                    """
                    .formatted(KEY))
                .audit()
                .postgresRetention())
        .isZero();
    assertThat(
            errors(
                """
                store:
                  master-key: %s
                  postgres: postgresql://127.0.0.1:5432/bulwark
                audit: { postgres: true, postgres-retention: 12h }
                """
                    .formatted(KEY)))
        .singleElement()
        .asString()
        .startsWith("audit.postgres-retention: ")
        .contains("between 1d and 36500d");
  }

  @Test
  void postgresRetentionWithoutPostgresIsAnErrorAtItsPath() {
    assertThat(
            errors(
                """
                store:
                  data-dir: DIR/data
                  master-key: %s
                audit: { file: audit.log, postgres-retention: 90d }
                """
                    .formatted(KEY)))
        .containsExactly(
            "audit.postgres-retention: keeps PostgreSQL records, but audit.postgres is not on");
  }
}
