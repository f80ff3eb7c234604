package dev.bulwark.store.sqlite;

import dev.bulwark.store.StoreUnavailable;
import dev.bulwark.store.sealed.MasterKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Backups on a schedule: every {@code every}, an archive of the data directory named by its UTC
 * time in {@code dir} (owner-only), then only the newest {@code keep} archives are kept. A failed
 * backup is logged in one line and tried again at the next tick; the archives kept are untouched.
 */
final class ScheduledBackups implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ScheduledBackups.class.getName());
  private static final DateTimeFormatter NAME =
      DateTimeFormatter.ofPattern("'bulwark-'yyyyMMdd'T'HHmmss.SSS'Z.bwk'")
          .withZone(ZoneOffset.UTC);

  private final Path dataDir;
  private final MasterKey master;
  private final Path dir;
  private final int keep;
  private final Clock clock;
  private final ScheduledExecutorService timer;

  private ScheduledBackups(Path dataDir, MasterKey master, Path dir, int keep, Clock clock) {
    this.dataDir = dataDir;
    this.master = master;
    this.dir = dir;
    this.keep = keep;
    this.clock = clock;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "bulwark-scheduled-backup");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts backing up {@code dataDir} every {@code every} into {@code dir}, keeping {@code keep}.
   */
  static ScheduledBackups start(
      Path dataDir, MasterKey master, Path dir, Duration every, int keep) {
    ScheduledBackups b = new ScheduledBackups(dataDir, master, dir, keep, Clock.systemUTC());
    b.timer.scheduleWithFixedDelay(
        b::runOnce, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    return b;
  }

  /** Writes one archive and prunes the old ones; returns the archive, or null when it failed. */
  @org.jspecify.annotations.Nullable
  Path runOnce() {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(
            dir, PosixFilePermissions.asFileAttribute(DataDirectory.DIRECTORY_MODE));
      }
      Path archive = dir.resolve(NAME.format(clock.instant()));
      EmbeddedBackup.backup(dataDir, master, archive);
      prune();
      return archive;
    } catch (IOException e) {
      LOG.warning("scheduled backup into " + dir + " failed: " + DataDirectory.reason(e));
    } catch (StoreUnavailable e) {
      LOG.warning("scheduled backup failed: " + e.getMessage());
    }
    return null;
  }

  private void prune() throws IOException {
    List<Path> archives;
    try (Stream<Path> s = Files.list(dir)) {
      archives =
          s.filter(p -> p.getFileName().toString().matches("bulwark-\\d{8}T\\d{6}\\.\\d{3}Z\\.bwk"))
              .sorted()
              .toList();
    }
    for (int i = 0; i < archives.size() - keep; i++) {
      Files.deleteIfExists(archives.get(i));
    }
  }

  /** Stops the schedule; a backup under way finishes first (for up to a minute). */
  @Override
  public void close() {
    timer.shutdown();
    try {
      timer.awaitTermination(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
