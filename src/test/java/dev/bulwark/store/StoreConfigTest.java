package dev.bulwark.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.config.ConfigException;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.server.SelfSignedCertificate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code store} section's durable settings: read, resolved, and every mistake by its path. */
class StoreConfigTest {
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

  private static StoreConfig load(String store) throws ConfigException {
    return PolicyCatalog.standard()
        .loader(new SecretResolver(name -> name.equals("KEY") ? "a2V5LXRleHQ=" : null))
        .parse(yaml(store), dir.resolve("bulwark.yaml"), dir)
        .config()
        .store();
  }

  private static List<String> errors(String store) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(store));
    assertThat(e).as("refused: " + store).isNotNull();
    return e.problems().stream().map(Object::toString).toList();
  }

  @Test
  void aDataDirectoryResolvesAgainstTheFileAndKeepsTheKeysReference() throws Exception {
    StoreConfig c = load("{ data-dir: data, master-key: \"${env:KEY}\" }");
    assertThat(c.durable()).isTrue();
    assertThat(c.cluster()).isFalse();
    assertThat(c.dataDir()).isEqualTo(dir.resolve("data"));
    StoreConfig.MasterKeyReference key = java.util.Objects.requireNonNull(c.masterKey());
    assertThat(key.reference()).isEqualTo("${env:KEY}");
    assertThat(key.text()).isEqualTo("a2V5LXRleHQ=");
    assertThat(c.toString()).doesNotContain("a2V5LXRleHQ=");
    assertThat(c.backup()).isNull();
  }

  @Test
  void embeddedWithoutADataDirectoryKeepsNothingOnDisk() throws Exception {
    assertThat(load("embedded").durable()).isFalse();
    assertThat(load("{ embedded: true, max-keys: 5000 }").durable()).isFalse();
    StoreConfig bounded = load("{ max-keys: 5000 }");
    assertThat(bounded.cluster()).as("a mapping naming no backend is embedded").isFalse();
    assertThat(bounded.maxKeys()).isEqualTo(5000);
  }

  @Test
  void aScheduledBackupHasDefaultsAndBounds() throws Exception {
    StoreConfig c = load("{ data-dir: data, master-key: \"${env:KEY}\", backup: { to: backups } }");
    assertThat(c.backup())
        .isEqualTo(new StoreConfig.BackupSchedule(dir.resolve("backups"), Duration.ofDays(1), 7));
    assertThat(
            errors(
                "{ data-dir: data, master-key: \"${env:KEY}\", backup: { to: b, every: 10s, keep:"
                    + " 0 } }"))
        .anyMatch(e -> e.startsWith("store.backup.every: "))
        .anyMatch(e -> e.startsWith("store.backup.keep: "));
  }

  @Test
  void everyMistakeIsReportedAtItsPath() {
    assertThat(errors("{ data-dir: data }"))
        .contains(
            "store.master-key: missing (expected: a secret reference such as"
                + " ${file:/etc/bulwark/master.key}; the data directory is encrypted under it)");
    assertThat(errors("{ data-dir: data, master-key: c2VjcmV0 }"))
        .contains(
            "store.master-key: a literal key (expected: a secret reference such as"
                + " ${file:/etc/bulwark/master.key}, never the key itself)");
    assertThat(errors("{ embedded: true, master-key: \"${env:KEY}\" }"))
        .contains(
            "store.master-key: only with data-dir (expected: data-dir beside it, or neither)");
    assertThat(errors("{ redis: \"redis://127.0.0.1:6379\", data-dir: data }"))
        .contains(
            "store.data-dir: only for the embedded store (expected: no data-dir beside redis)");
    assertThat(errors("{ data-dir: data, master-key: \"${env:UNSET}\" }"))
        .anyMatch(e -> e.startsWith("store.master-key: ${env:UNSET}"));
  }

  @Test
  void aTransitMasterKeyNeedsAVaultSectionAndAKeyName() {
    assertThat(errors("{ data-dir: data, master-key: { vault-transit: { key: bulwark-store } } }"))
        .containsExactly(
            "store.master-key.vault-transit: no vault section (expected: a top-level vault:"
                + " with address and auth)");
    assertThat(errors("{ data-dir: data, master-key: { vault-transit: { mount: transit } } }"))
        .contains(
            "store.master-key.vault-transit.key: missing (expected: the name of a transit"
                + " key such as bulwark-store)");
    assertThat(errors("{ data-dir: data, master-key: { vault-transit: { key: ../x } } }"))
        .contains(
            "store.master-key.vault-transit.key: not a transit key name (expected:"
                + " letters, digits, '-', '_' and '.')");
    assertThat(
            errors(
                "{ data-dir: data, master-key: { vault-transit: { key: k, mount: \"a/../b\" } } }"))
        .anyMatch(e -> e.startsWith("store.master-key.vault-transit.mount: not a mount"));
    assertThat(errors("{ data-dir: data, master-key: { vault-kv: { key: k } } }"))
        .contains("store.master-key.vault-kv: unknown key (expected one of: vault-transit)");
    assertThat(
            errors(
                "{ data-dir: data, backup: { to: backups },"
                    + " master-key: { vault-transit: { key: k } } }"))
        .contains(
            "store.backup: not with a vault-transit master key (expected: no backup, or a"
                + " ${file:..} master key; see docs/encryption-at-rest.md)");
  }
}
