package dev.bulwark.store.sqlite;

import dev.bulwark.store.StoreUnavailable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The data directory of the embedded store: owner-only ({@code 0700}), its database file and lock
 * file owner-only ({@code 0600}); the lock file is held by the one process that writes the
 * directory (a running gateway) and names it by pid.
 */
public final class DataDirectory implements AutoCloseable {
  /** The database file's name in the directory. */
  public static final String DATABASE = "bulwark.db";

  static final String LOCK = "bulwark.lock";
  static final Set<PosixFilePermission> DIRECTORY_MODE =
      PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

  /**
   * The directories this process has locked: on Linux, closing any channel of a locked file drops
   * the process's lock, so a directory locked here is never probed with a second channel.
   */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path dir;
  private @Nullable FileChannel lockChannel;
  private @Nullable FileLock lock;

  private DataDirectory(Path dir) {
    this.dir = dir;
  }

  /** Creates the directory (0700) and its database file (0600) when missing, and tightens both. */
  public static DataDirectory prepare(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    try {
      if (!Files.exists(abs)) {
        Files.createDirectories(abs, PosixFilePermissions.asFileAttribute(DIRECTORY_MODE));
      }
      if (!Files.isDirectory(abs)) {
        throw new StoreUnavailable(
            abs + ": not a directory (store.data-dir must name a directory for Bulwark's data)");
      }
      Files.setPosixFilePermissions(abs, DIRECTORY_MODE);
      createOwnerOnly(abs.resolve(DATABASE));
    } catch (IOException e) {
      throw new StoreUnavailable(
          abs
              + ": cannot be prepared as the data directory ("
              + reason(e)
              + "): check its owner and permissions, or point store.data-dir elsewhere");
    }
    return new DataDirectory(abs);
  }

  /** Returns the directory. */
  public Path path() {
    return dir;
  }

  /** Returns the database file. */
  public Path database() {
    return dir.resolve(DATABASE);
  }

  /**
   * Takes the directory's lock for this process, writing its pid in the lock file.
   *
   * @throws StoreUnavailable when another process (or this one) holds it
   */
  public void lock() {
    Path file = dir.resolve(LOCK);
    if (!HELD.add(dir)) {
      throw new StoreUnavailable(inUse("in use by"));
    }
    try {
      createOwnerOnly(file);
      FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
      try {
        FileLock l = tryLock(ch);
        if (l == null) {
          throw new StoreUnavailable(inUse("in use by"));
        }
        ch.truncate(0);
        ch.write(
            ByteBuffer.wrap(
                (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
            0);
        lockChannel = ch;
        lock = l;
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
    } catch (IOException e) {
      HELD.remove(dir);
      throw new StoreUnavailable(file + ": cannot be locked (" + reason(e) + ")");
    } catch (RuntimeException e) {
      HELD.remove(dir);
      throw e;
    }
  }

  /** Returns the message that a process holds the lock, or null when no process holds it. */
  public @Nullable String heldBy() {
    if (lock != null) {
      return null;
    }
    if (HELD.contains(dir)) {
      return inUse("held by");
    }
    Path file = dir.resolve(LOCK);
    if (!Files.exists(file)) {
      return null;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      FileLock l = tryLock(ch);
      if (l == null) {
        return inUse("held by");
      }
      l.release();
      return null;
    } catch (IOException e) {
      return file + ": cannot be checked (" + reason(e) + ")";
    }
  }

  private static @Nullable FileLock tryLock(FileChannel ch) throws IOException {
    try {
      return ch.tryLock();
    } catch (OverlappingFileLockException e) {
      return null;
    }
  }

  private String inUse(String verb) {
    String pid;
    try {
      pid = Files.readString(dir.resolve(LOCK), StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      pid = "";
    }
    return dir
        + " is "
        + verb
        + " a running Bulwark"
        + (pid.isEmpty() ? "" : " (pid " + pid + ")")
        + ": stop it first, or use another store.data-dir";
  }

  /** Releases the lock, if this process took it. */
  @Override
  public void close() {
    try {
      if (lock != null) {
        lock.release();
      }
      if (lockChannel != null) {
        lockChannel.close();
      }
    } catch (IOException e) {
      // The process is letting go of the directory; a failed release dies with the channel.
    } finally {
      if (lock != null) {
        HELD.remove(dir);
      }
      lock = null;
      lockChannel = null;
    }
  }

  /** Creates a file readable and writable by its owner only, or tightens an existing one. */
  static void createOwnerOnly(Path file) throws IOException {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE_MODE));
    } catch (FileAlreadyExistsException e) {
      Files.setPosixFilePermissions(file, FILE_MODE);
    }
  }

  static String reason(IOException e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
