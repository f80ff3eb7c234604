package dev.bulwark.config;

import dev.bulwark.secret.TransitKey;
import dev.bulwark.secret.VaultSession;
import dev.bulwark.store.StoreConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code store} section into the plain {@link StoreConfig} that the stores are opened
 * from, so that the store package knows nothing of the configuration file.
 */
final class StoreSection {
  static final Set<String> KEYS =
      Set.of(
          "embedded",
          "redis",
          "timeout",
          "max-keys",
          "data-dir",
          "master-key",
          "backup",
          "postgres");

  static final Set<String> BACKUP_KEYS = Set.of("to", "every", "keep");
  static final Set<String> TRANSIT_KEYS = Set.of("key", "mount");

  private StoreSection() {}

  /**
   * Reads {@code store}: {@code embedded}, or a mapping with {@code redis} or the embedded store's
   * settings; a relative {@code data-dir} is resolved against {@code baseDir}.
   */
  static StoreConfig read(ConfigNode n, Path baseDir) {
    StoreConfig base = readBase(n, baseDir);
    if (!n.isMapping() || !n.get("postgres").present()) {
      return base;
    }
    return PostgresSection.read(n, base);
  }

  private static StoreConfig readBase(ConfigNode n, Path baseDir) {
    if (!n.present()) {
      return StoreConfig.EMBEDDED;
    }
    if (n.isScalar()) {
      if (!"embedded".equals(n.rawText())) {
        n.invalid("embedded, or { redis: redis://host:6379 }");
      }
      return StoreConfig.EMBEDDED;
    }
    if (!n.expectMapping(KEYS)) {
      return StoreConfig.EMBEDDED;
    }
    long maxKeys = n.get("max-keys").integer(100_000, 1_000, 50_000_000);
    Duration timeout =
        n.get("timeout")
            .duration(
                StoreConfig.EMBEDDED.timeout(), Duration.ofMillis(10), Duration.ofSeconds(10));
    if (n.get("embedded").present()) {
      if (n.get("redis").present()) {
        n.get("embedded").invalid("either embedded or redis, not both");
      } else if (!n.get("embedded").bool(true)) {
        n.get("embedded").invalid("true (or name a redis store)");
      }
      if (!n.get("redis").present()) {
        return embedded(n, baseDir, timeout, maxKeys);
      }
    } else if (!n.get("redis").present()) {
      // a mapping that names no backend ({max-keys: …}, {data-dir: …}) is the embedded store
      return embedded(n, baseDir, timeout, maxKeys);
    }
    boolean postgres = n.get("postgres").present();
    for (String k : List.of("data-dir", "master-key", "backup")) {
      if (n.get(k).present() && !(postgres && k.equals("master-key"))) {
        n.get(k).error("only for the embedded store (expected: no " + k + " beside redis)");
      }
    }
    ConfigNode redisNode = n.get("redis");
    String url = redisNode.requiredString("a Redis URL such as redis://127.0.0.1:6379");
    if (url == null) {
      return StoreConfig.EMBEDDED;
    }
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      redisNode.invalid("a Redis URL such as redis://127.0.0.1:6379 or rediss://host:6380");
      return StoreConfig.EMBEDDED;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("redis") && !scheme.equals("rediss") || uri.getHost() == null) {
      redisNode.invalid("a Redis URL such as redis://127.0.0.1:6379 or rediss://host:6380");
      return StoreConfig.EMBEDDED;
    }
    String host = uri.getHost();
    if (scheme.equals("redis")
        && !host.equals("127.0.0.1")
        && !host.equals("localhost")
        && !host.equals("[::1]")) {
      redisNode.warning(
          "redis:// to another host sends counters and bans in clear text (use rediss://)");
    }
    return new StoreConfig(url, timeout, maxKeys);
  }

  private static StoreConfig embedded(ConfigNode n, Path baseDir, Duration timeout, long maxKeys) {
    ConfigNode dirNode = n.get("data-dir");
    ConfigNode keyNode = n.get("master-key");
    if (!dirNode.present()) {
      for (ConfigNode k : List.of(keyNode, n.get("backup"))) {
        if (k.present() && !(k == keyNode && n.get("postgres").present())) {
          k.error("only with data-dir (expected: data-dir beside it, or neither)");
        }
      }
      return new StoreConfig(null, timeout, maxKeys);
    }
    String dir = dirNode.requiredString("a directory for Bulwark's data, such as data");
    if (!keyNode.present()) {
      keyNode.error(
          "missing (expected: a secret reference such as ${file:/etc/bulwark/master.key}; the data"
              + " directory is encrypted under it)");
      return new StoreConfig(null, timeout, maxKeys);
    }
    if (keyNode.isMapping()) {
      StoreConfig.MasterKeyReference transit = transit(keyNode);
      StoreConfig.BackupSchedule backup = backup(n.get("backup"), baseDir);
      if (backup != null && keyNode.get("vault-transit").present()) {
        n.get("backup")
            .error(
                "not with a vault-transit master key (expected: no backup, or a ${file:..} master"
                    + " key; see docs/encryption-at-rest.md)");
      }
      if (dir == null || transit == null) {
        return new StoreConfig(null, timeout, maxKeys);
      }
      return new StoreConfig(
          null, timeout, maxKeys, baseDir.resolve(dir).normalize(), transit, null);
    }
    String reference = keyNode.rawText();
    if (reference == null || !SecretResolver.containsReference(reference)) {
      keyNode.error(
          "a literal key (expected: a secret reference such as ${file:/etc/bulwark/master.key},"
              + " never the key itself)");
      return new StoreConfig(null, timeout, maxKeys);
    }
    String text = keyNode.string("a secret reference such as ${file:/etc/bulwark/master.key}");
    if (dir == null || text == null) {
      return new StoreConfig(null, timeout, maxKeys);
    }
    StoreConfig.BackupSchedule backup = backup(n.get("backup"), baseDir);
    return new StoreConfig(
        null,
        timeout,
        maxKeys,
        baseDir.resolve(dir).normalize(),
        new StoreConfig.MasterKeyReference(reference, text),
        backup);
  }

  /** Reads {@code master-key: { vault-transit: { key: NAME, mount: transit } }}. */
  static StoreConfig.@Nullable MasterKeyReference transit(ConfigNode n) {
    if (!n.expectMapping(Set.of("vault-transit"))) {
      return null;
    }
    ConfigNode t = n.get("vault-transit");
    if (!t.present()) {
      n.error(
          "missing vault-transit (expected: a secret reference such as"
              + " ${file:/etc/bulwark/master.key}, or { vault-transit: { key: bulwark-store } })");
      return null;
    }
    if (!t.expectMapping(TRANSIT_KEYS)) {
      return null;
    }
    String name = t.get("key").requiredString("the name of a transit key such as bulwark-store");
    String mount = t.get("mount").string("transit", "transit");
    boolean ok = name != null;
    if (name != null && TransitKey.nameProblem(name) != null) {
      t.get("key").error(String.valueOf(TransitKey.nameProblem(name)));
      ok = false;
    }
    if (TransitKey.mountProblem(mount) != null) {
      t.get("mount").error(String.valueOf(TransitKey.mountProblem(mount)));
      ok = false;
    }
    VaultSession vault = t.vault();
    if (!ok || vault == null || name == null) {
      return null;
    }
    return StoreConfig.MasterKeyReference.transit(vault, new TransitKey(mount, name));
  }

  private static StoreConfig.@Nullable BackupSchedule backup(ConfigNode n, Path baseDir) {
    if (!n.present() || !n.expectMapping(BACKUP_KEYS)) {
      return null;
    }
    String to = n.get("to").requiredString("a directory for the archives, such as backups");
    Duration every =
        n.get("every").duration(Duration.ofDays(1), Duration.ofMinutes(1), Duration.ofDays(30));
    int keep = n.get("keep").integer(7, 1, 10_000);
    return to == null
        ? null
        : new StoreConfig.BackupSchedule(baseDir.resolve(to).normalize(), every, keep);
  }
}
