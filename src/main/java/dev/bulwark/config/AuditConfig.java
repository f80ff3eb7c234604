package dev.bulwark.config;

import dev.bulwark.store.StoreConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The durable audit trail ({@code audit}): off unless {@code file} is set; then every security
 * event is appended there sealed under the store's keyring, which needs {@code store.data-dir} and
 * {@code store.master-key}.
 *
 * @param file the trail's file (relative to the configuration file), or null for no trail
 * @param checkpointEvery records between signed checkpoints
 * @param checkpointInterval the longest a record waits for a signed checkpoint
 * @param queue events waiting for the writer before new ones are dropped (and counted)
 */
public record AuditConfig(
    @Nullable Path file, int checkpointEvery, Duration checkpointInterval, int queue) {
  /** No trail. */
  public static final AuditConfig OFF = new AuditConfig(null, 1000, Duration.ofSeconds(60), 10_000);

  static final Set<String> KEYS =
      Set.of("file", "checkpoint-every", "checkpoint-interval", "queue", "alerts");

  /** Returns whether a trail is written. */
  public boolean enabled() {
    return file != null;
  }

  static AuditConfig read(ConfigNode n, StoreConfig store, Path baseDir) {
    if (!n.present() || !n.expectMapping(KEYS)) {
      return OFF;
    }
    int every = n.get("checkpoint-every").integer(OFF.checkpointEvery(), 1, 1_000_000);
    Duration interval =
        n.get("checkpoint-interval")
            .duration(OFF.checkpointInterval(), Duration.ofSeconds(1), Duration.ofHours(24));
    int queue = n.get("queue").integer(OFF.queue(), 16, 1_000_000);
    ConfigNode fileNode = n.get("file");
    if (!fileNode.present() && n.get("alerts").present()) {
      return OFF; // alerts alone, read by AlertsSection: no trail
    }
    String file = fileNode.requiredString("a file for the audit trail, such as data/audit.log");
    if (file == null) {
      return OFF;
    }
    if (store.masterKey() == null) {
      fileNode.error(
          "needs an encrypted data directory (expected: store.data-dir and store.master-key set;"
              + " audit records are sealed under the master key and never written in clear)");
      return OFF;
    }
    return new AuditConfig(baseDir.resolve(file).normalize(), every, interval, queue);
  }
}
