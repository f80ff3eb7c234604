package dev.bulwark.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The HTTPS listener's certificate and key (PEM files, reloaded when they change) and the oldest
 * protocol version accepted; cipher suites are fixed to forward-secret AEAD suites.
 */
public record TlsConfig(Path cert, Path key, String minVersion, Engine engine) {

  /** Which TLS implementation serves the listener. */
  public enum Engine {
    /** BoringSSL through netty-tcnative when it loads, else the JDK. */
    AUTO,
    OPENSSL,
    JDK
  }

  static TlsConfig read(ConfigNode n, Path baseDir) {
    if (!n.present()) {
      n.error("missing (expected: a mapping with cert and key, PEM files)");
      return new TlsConfig(Path.of("missing"), Path.of("missing"), "TLSv1.2", Engine.AUTO);
    }
    n.expectMapping(Set.of("cert", "key", "min-version", "engine"));
    Path cert = file(n.get("cert"), baseDir);
    Path key = file(n.get("key"), baseDir);
    String min = n.get("min-version").string("TLSv1.2 or TLSv1.3", "TLSv1.2");
    if (!min.equals("TLSv1.2") && !min.equals("TLSv1.3")) {
      n.get("min-version").invalid("TLSv1.2 or TLSv1.3");
      min = "TLSv1.2";
    }
    String engine = n.get("engine").string("auto, openssl or jdk", "auto");
    Engine e =
        switch (engine) {
          case "openssl" -> Engine.OPENSSL;
          case "jdk" -> Engine.JDK;
          case "auto" -> Engine.AUTO;
          default -> {
            n.get("engine").invalid("auto, openssl or jdk");
            yield Engine.AUTO;
          }
        };
    return new TlsConfig(cert, key, min, e);
  }

  /** Reads a required path to a readable file, resolved against the config file's directory. */
  static Path file(ConfigNode n, Path baseDir) {
    String s = n.requiredString("a path to a PEM file");
    if (s == null) {
      return Path.of("missing");
    }
    Path p = baseDir.resolve(s).normalize();
    if (!Files.isRegularFile(p)) {
      n.error(s + ": file not found");
    } else if (!Files.isReadable(p)) {
      n.error(s + ": file not readable");
    }
    return p;
  }
}
