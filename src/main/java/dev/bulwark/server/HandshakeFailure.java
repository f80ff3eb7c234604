package dev.bulwark.server;

import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.util.Locale;
import javax.net.ssl.SSLHandshakeException;
import org.jspecify.annotations.Nullable;

/**
 * Why a TLS handshake on the HTTPS listener failed, as a short metric label. The engines word the
 * same failure differently (BoringSSL: {@code NO_SHARED_CIPHER}, the JDK: {@code no cipher suites
 * in common}), so both spellings map to one reason.
 */
enum HandshakeFailure {
  /** Plain HTTP (or anything that is not TLS) sent to the HTTPS port. */
  NOT_TLS("not-tls"),
  /** The client offered only protocol versions the listener refuses (TLS 1.1 and older). */
  PROTOCOL("protocol"),
  /** No cipher suite in common (the client offered only CBC, RC4 and the like). */
  CIPHER("cipher"),
  /** The client refused the listener's certificate (untrusted, expired, wrong name). */
  CERTIFICATE_REJECTED("certificate-rejected"),
  /** The handshake did not finish within 10 seconds. */
  TIMEOUT("timeout"),
  /** Any other handshake failure. */
  OTHER("other");

  private final String label;

  HandshakeFailure(String label) {
    this.label = label;
  }

  /** Returns the metric label. */
  String label() {
    return label;
  }

  /**
   * Returns the reason a connection failure is a failed handshake, or null when it is not one:
   * errors on established connections reach the same handler, and a connection closed before or
   * during the handshake (as TCP health checks do) is not counted either.
   */
  static @Nullable HandshakeFailure of(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof NotSslRecordException) {
        return NOT_TLS;
      }
      if (t instanceof SslHandshakeTimeoutException) {
        return TIMEOUT;
      }
      if (t instanceof SSLHandshakeException) {
        return byMessage(t.getMessage());
      }
    }
    return null;
  }

  private static HandshakeFailure byMessage(@Nullable String message) {
    String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
    if (m.contains("protocol") || m.contains("wrong_version_number")) {
      return PROTOCOL;
    }
    if (m.contains("no_shared_cipher")
        || m.contains("no cipher suites in common")
        || m.contains("no_cipher")
        || m.contains("no appropriate cipher")) {
      return CIPHER;
    }
    if (m.contains("certificate")
        || m.contains("unknown_ca")
        || m.contains("unknown ca")
        || m.contains("access_denied")) {
      return CERTIFICATE_REJECTED;
    }
    return OTHER;
  }
}
