package dev.bulwark.config;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Says in words why a file the operator named cannot be read (missing, a directory, not readable,
 * too large), so that no message ever shows an exception's class name.
 */
public final class ReadableFile {
  private ReadableFile() {}

  /** Returns what stops {@code file} from being read, or null when it is a readable file. */
  public static @Nullable String problem(Path file, long maxBytes) {
    if (Files.isDirectory(file)) {
      return "a directory, not a file";
    }
    if (!Files.exists(file)) {
      return "file not found";
    }
    if (!Files.isRegularFile(file)) {
      return "not a regular file";
    }
    if (!Files.isReadable(file)) {
      return "not readable by this user (check its owner and permissions)";
    }
    try {
      long size = Files.size(file);
      if (size > maxBytes) {
        return "larger than " + Units.formatSize(maxBytes);
      }
    } catch (IOException e) {
      return describe(e);
    }
    return null;
  }

  /** Returns the reason of a failed read in words. */
  public static String describe(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "file not found";
    }
    if (e instanceof AccessDeniedException) {
      return "not readable by this user (check its owner and permissions)";
    }
    if (e instanceof java.nio.charset.CharacterCodingException) {
      return "not UTF-8 text";
    }
    String m = e.getMessage();
    return "cannot be read" + (m == null || m.isBlank() ? "" : " (" + m + ")");
  }

  /** Returns whether the bytes look binary: a NUL byte or mostly non-text bytes near the start. */
  public static boolean looksBinary(byte[] bytes) {
    int n = Math.min(bytes.length, 4096);
    int odd = 0;
    for (int i = 0; i < n; i++) {
      int b = bytes[i] & 0xff;
      if (b == 0) {
        return true;
      }
      if (b < 0x09 || (b > 0x0d && b < 0x20) || b == 0x7f) {
        odd++;
      }
    }
    return n > 0 && odd * 10 > n;
  }
}
