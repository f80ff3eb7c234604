package dev.bulwark.config;

import dev.bulwark.store.StoreConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The durable audit trail ({@code audit}): off unless {@code file} is set or {@code postgres} is
 * true; then every security event is appended there sealed under the store's keyring: the file
 * needs {@code store.data-dir} and {@code store.master-key}, PostgreSQL needs {@code
 * store.postgres} (whose data keys seal the records). Both may be on at once.
 *
 * @param file the trail's file (relative to the configuration file), or null for no trail
 * @param checkpointEvery records between signed checkpoints
 * @param checkpointInterval the longest a record waits for a signed checkpoint
 * @param queue events waiting for the writer before new ones are dropped (and counted)
 * @param rotateSize rotate the file once it holds this many bytes (0: never by size)
 * @param rotateInterval rotate the file once it was started this long ago (zero: never by age)
 * @param retainFiles keep at most this many rotated files (0: no limit)
 * @param retainAge delete rotated files older than this (zero: no limit)
 * @param postgres whether records are also (or only) appended to {@code store.postgres}
 * @param postgresRetention remove PostgreSQL records older than this, up to a signed anchor (zero:
 *     keep all)
 */
public record AuditConfig(
    @Nullable Path file,
    int checkpointEvery,
    Duration checkpointInterval,
    int queue,
    long rotateSize,
    Duration rotateInterval,
    int retainFiles,
    Duration retainAge,
    boolean postgres,
    Duration postgresRetention) {
  /** The shortest {@code audit.postgres-retention}: the database refuses less (audit_retain). */
  public static final Duration MIN_POSTGRES_RETENTION = Duration.ofDays(1);

  /** A trail without PostgreSQL retention. */
  public AuditConfig(
      @Nullable Path file,
      int checkpointEvery,
      Duration checkpointInterval,
      int queue,
      long rotateSize,
      Duration rotateInterval,
      int retainFiles,
      Duration retainAge,
      boolean postgres) {
    this(
        file,
        checkpointEvery,
        checkpointInterval,
        queue,
        rotateSize,
        rotateInterval,
        retainFiles,
        retainAge,
        postgres,
        Duration.ZERO);
  }

  /** No trail. */
  public static final AuditConfig OFF =
      new AuditConfig(
          null, 1000, Duration.ofSeconds(60), 10_000, 0, Duration.ZERO, 0, Duration.ZERO, false);

  static final Set<String> KEYS =
      Set.of(
          "file",
          "checkpoint-every",
          "checkpoint-interval",
          "queue",
          "rotate",
          "retain",
          "alerts",
          "postgres",
          "postgres-retention");

  /** Returns whether a trail is written (to a file, to PostgreSQL, or both). */
  public boolean enabled() {
    return file != null || postgres;
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
    ConfigNode rotate = n.get("rotate");
    long rotateSize = 0;
    Duration rotateInterval = Duration.ZERO;
    if (rotate.present() && rotate.expectMapping(Set.of("size", "interval"))) {
      rotateSize = rotate.get("size").size(0, 1L << 20, 1L << 40);
      rotateInterval =
          rotate
              .get("interval")
              .duration(Duration.ZERO, Duration.ofMinutes(1), Duration.ofDays(366));
      if (!rotate.get("size").present() && !rotate.get("interval").present()) {
        rotate.error("expected size, interval or both (such as { size: 100MB, interval: 1d })");
      }
    }
    ConfigNode retain = n.get("retain");
    int retainFiles = 0;
    Duration retainAge = Duration.ZERO;
    if (retain.present() && retain.expectMapping(Set.of("files", "age"))) {
      retainFiles = retain.get("files").integer(0, 1, 1_000_000);
      retainAge =
          retain.get("age").duration(Duration.ZERO, Duration.ofHours(1), Duration.ofDays(36_500));
      if (!retain.get("files").present() && !retain.get("age").present()) {
        retain.error("expected files, age or both (such as { files: 30, age: 90d })");
      }
      if (rotateSize == 0 && rotateInterval.isZero()) {
        retain.error("keeps rotated files, but audit.rotate is not set: nothing is ever rotated");
      }
    }
    ConfigNode pgNode = n.get("postgres");
    boolean postgresAsked = pgNode.bool(false);
    boolean postgres = postgresAsked;
    if (postgres && store.postgres() == null) {
      pgNode.error(
          "needs store.postgres (expected: store.postgres with the database the records go to;"
              + " they are sealed under its data keys)");
      postgres = false;
    }
    ConfigNode retentionNode = n.get("postgres-retention");
    Duration postgresRetention =
        retentionNode.duration(Duration.ZERO, MIN_POSTGRES_RETENTION, Duration.ofDays(36_500));
    if (retentionNode.present() && !postgresAsked) {
      retentionNode.error("keeps PostgreSQL records, but audit.postgres is not on");
    }
    ConfigNode fileNode = n.get("file");
    if (!fileNode.present() && (n.get("alerts").present() || pgNode.present())) {
      // alerts alone (read by AlertsSection), or PostgreSQL only: no file
      return postgres
          ? new AuditConfig(
              null,
              every,
              interval,
              queue,
              rotateSize,
              rotateInterval,
              retainFiles,
              retainAge,
              true,
              postgresRetention)
          : OFF;
    }
    String file = fileNode.requiredString("a file for the audit trail, such as data/audit.log");
    if (file == null) {
      return OFF;
    }
    if (store.masterKey() == null || store.dataDir() == null) {
      fileNode.error(
          "needs an encrypted data directory (expected: store.data-dir and store.master-key set;"
              + " audit records are sealed under the master key and never written in clear)");
      return OFF;
    }
    return new AuditConfig(
        baseDir.resolve(file).normalize(),
        every,
        interval,
        queue,
        rotateSize,
        rotateInterval,
        retainFiles,
        retainAge,
        postgres,
        postgresRetention);
  }
}
