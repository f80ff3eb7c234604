package dev.bulwark.proxy;

import dev.bulwark.identity.CertificateIdentity;
import dev.bulwark.identity.SanPattern;
import java.io.IOException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * The names an upstream's certificate must carry beyond the host name check ({@code san}: a SPIFFE
 * ID or a DNS name, any one of them), checked once per new connection right after its handshake and
 * before any request is written on it.
 */
final class UpstreamSanPins {
  private final List<SanPattern> pins;

  UpstreamSanPins(List<SanPattern> pins) {
    this.pins = List.copyOf(pins);
  }

  boolean isEmpty() {
    return pins.isEmpty();
  }

  /**
   * Returns why the session's certificate fails the pins, or null when it carries a pinned name.
   */
  @Nullable String mismatch(SSLSession session) {
    if (pins.isEmpty()) {
      return null; // nothing pinned: the chain and host-name checks decide alone
    }
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return "the upstream presented no certificate";
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return "the upstream presented no X.509 certificate";
    }
    CertificateIdentity names = CertificateIdentity.of(leaf);
    for (SanPattern p : pins) {
      if (p.matches(names)) {
        return null;
      }
    }
    return "upstream certificate names "
        + (names.uris().isEmpty() && names.dnsNames().isEmpty()
            ? names.subject()
            : String.join(", ", concat(names.uris(), names.dnsNames())))
        + ", none of the pinned san";
  }

  private static List<String> concat(List<String> a, List<String> b) {
    java.util.ArrayList<String> out = new java.util.ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /** An upstream whose certificate carries none of the pinned names: never sent a request. */
  static final class MismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    MismatchException(String reason) {
      super(reason);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this; // an expected refusal, not a bug
    }
  }
}
