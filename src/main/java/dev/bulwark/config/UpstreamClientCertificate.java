package dev.bulwark.config;

import dev.bulwark.identity.SanPattern;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the mutual TLS settings of an upstream: the certificate and key the gateway presents
 * ({@code client-cert}, {@code client-key}: a path, or PEM text from a secret reference such as
 * {@code ${file:...}} or {@code ${vault:...}}), checked as a pair like the listener's, and the
 * names the upstream's certificate must carry ({@code san}).
 */
final class UpstreamClientCertificate {
  private UpstreamClientCertificate() {}

  /** Reads the pair (NONE when not set), adding the files it came from to {@code files}. */
  static KeyCertificatePair read(ConfigNode upstream, boolean tls, Path baseDir, List<Path> files) {
    ConfigNode certNode = upstream.get("client-cert");
    ConfigNode keyNode = upstream.get("client-key");
    if (!certNode.present() && !keyNode.present()) {
      return KeyCertificatePair.NONE;
    }
    if (!tls) {
      (certNode.present() ? certNode : keyNode)
          .error("set for a plain http upstream (expected: an https:// url)");
      return KeyCertificatePair.NONE;
    }
    if (!certNode.present() || !keyNode.present()) {
      (certNode.present() ? keyNode : certNode)
          .error("missing (expected: client-cert and client-key together)");
      return KeyCertificatePair.NONE;
    }
    String cert = certNode.requiredString("a path to a PEM certificate, or a secret reference");
    String key = keyNode.requiredString("a path to a PEM key, or a secret reference");
    if (cert == null || key == null) {
      return KeyCertificatePair.NONE;
    }
    List<X509Certificate> chain;
    String certName;
    if (isPem(cert)) {
      certName = "client-cert";
      chain = KeyCertificatePair.certificates(certNode, certName, bytes(cert));
    } else {
      certName = cert;
      Path p = baseDir.resolve(cert).normalize();
      files.add(p);
      chain = KeyCertificatePair.readChain(certNode, cert, p);
    }
    PrivateKey privateKey;
    String keyName;
    if (isPem(key)) {
      keyName = "client-key";
      privateKey = KeyCertificatePair.privateKey(keyNode, keyName, bytes(key));
    } else {
      keyName = key;
      Path p = baseDir.resolve(key).normalize();
      files.add(p);
      privateKey = KeyCertificatePair.readKey(keyNode, key, p);
    }
    if (chain.isEmpty() || privateKey == null) {
      return KeyCertificatePair.NONE;
    }
    return KeyCertificatePair.check(certNode, certName, chain, keyNode, keyName, privateKey);
  }

  /** Reads {@code san}: the upstream certificate's names, one of which must match. */
  static List<SanPattern> san(ConfigNode n, boolean tls, boolean skipVerify) {
    List<SanPattern> out = new ArrayList<>();
    for (ConfigNode e : n.elements()) {
      String s = e.requiredString("a SPIFFE ID or URI (spiffe://...) or a DNS name");
      if (s == null) {
        continue;
      }
      SanPattern.Kind kind = s.contains("://") ? SanPattern.Kind.URI : SanPattern.Kind.DNS;
      String problem = SanPattern.problem(kind, s);
      if (problem != null) {
        e.invalid(problem);
      } else {
        out.add(new SanPattern(kind, s));
      }
    }
    if (!out.isEmpty() && !tls) {
      n.error("set for a plain http upstream (expected: an https:// url)");
    } else if (!out.isEmpty() && skipVerify) {
      n.error(
          "set with insecure-skip-verify: true (expected: verification on; a certificate that is"
              + " not verified can carry any name)");
    }
    return out;
  }

  private static boolean isPem(String value) {
    return value.startsWith("-----BEGIN");
  }

  private static byte[] bytes(String pem) {
    return pem.getBytes(StandardCharsets.ISO_8859_1);
  }
}
