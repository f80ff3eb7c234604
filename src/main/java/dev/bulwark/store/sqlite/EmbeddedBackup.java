package dev.bulwark.store.sqlite;

import dev.bulwark.store.StoreUnavailable;
import dev.bulwark.store.sealed.KeyringTable;
import dev.bulwark.store.sealed.MasterKey;
import dev.bulwark.store.sealed.SealRefused;
import dev.bulwark.store.sealed.SealedArchive;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Backups of the embedded store: a consistent snapshot of the database ({@code VACUUM INTO}, which
 * reads one transaction while a gateway keeps writing), encrypted into a {@link SealedArchive}
 * under the master key; verified by decrypting and checking the database inside; restored only into
 * a data directory no running gateway holds.
 */
public final class EmbeddedBackup {
  /** What an archive holds: the database's size, schema version, data keys and bans. */
  public record Summary(long bytes, int schemaVersion, int dataKeys, long bans) {
    /** Describes the summary in words. */
    public String describe() {
      return bans
          + " bans, "
          + dataKeys
          + " data key(s), schema version "
          + schemaVersion
          + ", "
          + bytes
          + " bytes of database";
    }
  }

  private EmbeddedBackup() {}

  /**
   * Writes an encrypted archive of the data directory's database to {@code to} (through a temporary
   * file beside it, moved into place when complete), readable by its owner only.
   */
  public static Summary backup(Path dataDir, MasterKey master, Path to) {
    Path db = dataDir.toAbsolutePath().normalize().resolve(DataDirectory.DATABASE);
    if (!Files.isRegularFile(db)) {
      throw new StoreUnavailable(
          db + ": no embedded state to back up (check store.data-dir, or start the gateway once)");
    }
    Path snapshot = db.resolveSibling(".backup-" + UUID.randomUUID() + ".db");
    Path partial = to.toAbsolutePath().resolveSibling(to.getFileName() + ".partial");
    try {
      Summary summary;
      try (Connection c = EmbeddedDatabase.connect(db)) {
        // The key must open the data: an archive nobody can restore is refused now.
        KeyringTable.open(c, master, db.toString());
        DataDirectory.createOwnerOnly(snapshot);
        try (PreparedStatement s = c.prepareStatement("VACUUM INTO ?")) {
          s.setString(1, snapshot.toString());
          s.execute();
        }
      }
      summary = inspect(snapshot, master, db.toString());
      DataDirectory.createOwnerOnly(partial);
      try (InputStream in = Files.newInputStream(snapshot);
          FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE);
          OutputStream out =
              new java.io.BufferedOutputStream(
                  java.nio.channels.Channels.newOutputStream(ch), 1 << 16)) {
        SealedArchive.write(in, out, master);
        out.flush();
        ch.force(true);
      }
      Files.move(partial, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return summary;
    } catch (SQLException e) {
      throw EmbeddedDatabase.cannotOpen(db, e);
    } catch (IOException e) {
      throw new StoreUnavailable(
          to + ": the backup cannot be written (" + DataDirectory.reason(e) + ")");
    } catch (SealRefused e) {
      throw new StoreUnavailable(e.getMessage());
    } finally {
      deleteQuietly(snapshot);
      deleteQuietly(partial);
    }
  }

  /** Checks an archive without restoring it: decrypts it to a temporary file and inspects that. */
  public static Summary verify(Path archive, MasterKey master) {
    Path scratch = null;
    try {
      scratch = Files.createTempFile("bulwark-verify-", ".db", ownerOnly());
      return decryptAndInspect(archive, master, scratch);
    } catch (IOException e) {
      throw new StoreUnavailable(
          "a temporary file for checking "
              + archive
              + " cannot be written ("
              + DataDirectory.reason(e)
              + ")");
    } finally {
      if (scratch != null) {
        deleteQuietly(scratch);
      }
    }
  }

  /**
   * Replaces the data directory's database with the archive's, after checking the archive whole;
   * refused while a gateway holds the directory.
   */
  public static Summary restore(Path archive, Path dataDir, MasterKey master) {
    DataDirectory dir = DataDirectory.prepare(dataDir);
    String held = dir.heldBy();
    if (held != null) {
      throw new StoreUnavailable("refusing to restore: " + held);
    }
    dir.lock();
    Path incoming = dir.path().resolve(".restore-" + UUID.randomUUID() + ".db");
    try {
      DataDirectory.createOwnerOnly(incoming);
      Summary summary = decryptAndInspect(archive, master, incoming);
      Path db = dir.database();
      Files.deleteIfExists(db.resolveSibling(DataDirectory.DATABASE + "-wal"));
      Files.deleteIfExists(db.resolveSibling(DataDirectory.DATABASE + "-shm"));
      Files.move(incoming, db, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return summary;
    } catch (IOException e) {
      throw new StoreUnavailable(
          dir.path() + ": the restore cannot be written (" + DataDirectory.reason(e) + ")");
    } finally {
      deleteQuietly(incoming);
      dir.close();
    }
  }

  private static Summary decryptAndInspect(Path archive, MasterKey master, Path into)
      throws IOException {
    String name = archive.toString();
    try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(archive), 1 << 16);
        FileChannel ch =
            FileChannel.open(into, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        OutputStream out =
            new java.io.BufferedOutputStream(
                java.nio.channels.Channels.newOutputStream(ch), 1 << 16)) {
      SealedArchive.read(in, out, master, name);
      out.flush();
      ch.force(true);
    } catch (NoSuchFileException e) {
      throw new StoreUnavailable(name + ": file not found");
    } catch (SealRefused e) {
      throw new StoreUnavailable(e.getMessage());
    }
    return inspect(into, master, name);
  }

  /** Checks a database file (integrity, schema, keyring under {@code master}) and counts it. */
  private static Summary inspect(Path database, MasterKey master, String name) {
    try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + database)) {
      String integrity;
      try (PreparedStatement s = c.prepareStatement("PRAGMA integrity_check");
          ResultSet r = s.executeQuery()) {
        integrity = r.next() ? String.valueOf(r.getString(1)) : "no answer";
      }
      if (!"ok".equals(integrity)) {
        throw new StoreUnavailable(
            name + ": the database inside fails its integrity check (" + integrity + ")");
      }
      int version = SchemaMigrations.version(c);
      if (version < 1 || version > SchemaMigrations.LATEST) {
        throw new StoreUnavailable(
            name
                + ": holds schema version "
                + version
                + " (this Bulwark reads 1 to "
                + SchemaMigrations.LATEST
                + ")");
      }
      int keys = KeyringTable.open(c, master, name).keyIds().size();
      long bans;
      try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM bans");
          ResultSet r = s.executeQuery()) {
        bans = r.next() ? r.getLong(1) : 0;
      }
      return new Summary(Files.size(database), version, keys, bans);
    } catch (SQLException e) {
      throw new StoreUnavailable(
          name + ": the database inside cannot be read (" + e.getMessage() + ")");
    } catch (SealRefused e) {
      throw new StoreUnavailable(e.getMessage());
    } catch (IOException e) {
      throw new StoreUnavailable(database + ": cannot be read (" + DataDirectory.reason(e) + ")");
    }
  }

  private static java.nio.file.attribute.FileAttribute<?> ownerOnly() {
    return java.nio.file.attribute.PosixFilePermissions.asFileAttribute(DataDirectory.FILE_MODE);
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // A leftover temporary file is owner-only; the next backup does not reuse its name.
    }
  }
}
