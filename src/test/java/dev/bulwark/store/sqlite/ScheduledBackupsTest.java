package dev.bulwark.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.store.StoreHealth;
import dev.bulwark.store.sealed.MasterKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scheduled backups write verifiable archives into an owner-only directory and keep the newest. */
class ScheduledBackupsTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path tmp;

  @Test
  void eachRunWritesAnArchiveAndOnlyTheNewestAreKept() throws Exception {
    MasterKey key = SqliteStoresTest.newKey("${file:/k}");
    Path data = tmp.resolve("data");
    Path backups = tmp.resolve("backups");
    try (SqliteStores stores =
            SqliteStores.open(data, key, 10_000, 100, StoreHealth.unmetered("embedded"));
        ScheduledBackups schedule =
            ScheduledBackups.start(data, key, backups, Duration.ofDays(1), 2)) {
      stores
          .bans()
          .ban(
              "203.0.113.9",
              Duration.ofHours(1),
              Duration.ofHours(1),
              Duration.ofHours(1),
              "r",
              "x")
          .toCompletableFuture()
          .get();
      Path first = schedule.runOnce();
      Thread.sleep(5);
      Path second = schedule.runOnce();
      Thread.sleep(5);
      Path third = java.util.Objects.requireNonNull(schedule.runOnce());
      assertThat(first).isNotNull();
      assertThat(second).isNotNull();
      assertThat(third).isNotNull();
      assertThat(archives(backups)).containsExactly(second, third);
      assertThat(EmbeddedBackup.verify(third, key).bans()).isEqualTo(1);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(backups)))
          .isEqualTo("rwx------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(third)))
          .isEqualTo("rw-------");
    }
  }

  @Test
  void aFailedRunIsLoggedAndKeepsTheArchivesThere() throws Exception {
    MasterKey key = SqliteStoresTest.newKey("${file:/k}");
    Path backups = tmp.resolve("backups");
    try (ScheduledBackups schedule =
        ScheduledBackups.start(tmp.resolve("missing"), key, backups, Duration.ofDays(1), 2)) {
      assertThat(schedule.runOnce()).isNull();
    }
  }

  private static List<Path> archives(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }
}
