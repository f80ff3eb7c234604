package dev.bulwark.server;

import dev.bulwark.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The SHA-256 of a configuration file as loaded, for the {@code config-reloaded} event. */
final class ConfigFileHash {
  private ConfigFileHash() {}

  /**
   * Returns the hex SHA-256 of the file's bytes, or {@code unreadable} when it cannot be read (or
   * grew past the loader's limit since it was loaded).
   */
  static String sha256(Path file) {
    try {
      if (Files.size(file) > ConfigLoader.MAX_FILE_BYTES) {
        return "unreadable";
      }
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (IOException e) {
      return "unreadable";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
