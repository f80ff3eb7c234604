package dev.bulwark.config;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The HTTPS listener's certificate and key (PEM files, reloaded when they change; {@code pair} is
 * their checked contents, what is served) and the oldest protocol version accepted; cipher suites
 * are fixed to forward-secret AEAD suites.
 */
public record TlsConfig(
    Path cert, Path key, String minVersion, Engine engine, KeyCertificatePair pair) {

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
      return new TlsConfig(
          Path.of("missing"), Path.of("missing"), "TLSv1.2", Engine.AUTO, KeyCertificatePair.NONE);
    }
    n.expectMapping(Set.of("cert", "key", "min-version", "engine"));
    ConfigNode certNode = n.get("cert");
    String certName = certNode.requiredString("a path to a PEM file");
    Path cert = resolve(certName, baseDir);
    List<X509Certificate> chain =
        certName == null ? List.of() : KeyCertificatePair.readChain(certNode, certName, cert);
    ConfigNode keyNode = n.get("key");
    String keyName = keyNode.requiredString("a path to a PEM file");
    Path key = resolve(keyName, baseDir);
    PrivateKey privateKey =
        keyName == null ? null : KeyCertificatePair.readKey(keyNode, keyName, key);
    KeyCertificatePair pair = KeyCertificatePair.NONE;
    if (certName != null && keyName != null && !chain.isEmpty() && privateKey != null) {
      pair = KeyCertificatePair.check(certNode, certName, chain, keyNode, keyName, privateKey);
    }
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
    return new TlsConfig(cert, key, min, e, pair);
  }

  private static Path resolve(@Nullable String name, Path baseDir) {
    return name == null ? Path.of("missing") : baseDir.resolve(name).normalize();
  }

  /** Reads a required path to a readable file, resolved against the config file's directory. */
  static Path file(ConfigNode n, Path baseDir) {
    String s = n.requiredString("a path to a PEM file");
    if (s == null) {
      return Path.of("missing");
    }
    Path p = baseDir.resolve(s).normalize();
    String problem = ReadableFile.problem(p, Long.MAX_VALUE);
    if (problem != null) {
      n.error(s + ": " + problem);
    }
    return p;
  }
}
