package dev.bulwark.probe;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Judges the certificate chain the target presented: trust, host name and expiry. */
final class CertificateChecks {
  static final Check CERTIFICATE =
      new Check(
          "transport.certificate",
          CheckFamily.TRANSPORT,
          Severity.CRITICAL,
          "Certificate chain is trusted and matches the host name",
          "Serve a certificate from a public CA (or your internal CA, passed with --ca-file) whose"
              + " subjectAltName covers the host, with the full intermediate chain.");
  static final Check EXPIRY =
      new Check(
          "transport.certificate-expiry",
          CheckFamily.TRANSPORT,
          Severity.HIGH,
          "Certificate is valid for at least three more weeks",
          "Renew the certificate, and automate renewal (ACME) so it never comes this close.");

  static final Duration RENEWAL_MARGIN = Duration.ofDays(21);

  private CertificateChecks() {}

  /** Judges trust and host name from the handshake's recorded verdict. */
  static Finding trust(List<X509Certificate> chain, @Nullable CertificateException failure) {
    if (chain.isEmpty()) {
      return CERTIFICATE.fail("the server presented no certificate");
    }
    X509Certificate leaf = chain.get(0);
    String who =
        "subject "
            + leaf.getSubjectX500Principal().getName()
            + ", issuer "
            + leaf.getIssuerX500Principal().getName();
    if (failure == null) {
      return CERTIFICATE.pass("trusted chain of " + chain.size() + "; " + who);
    }
    return CERTIFICATE.fail(classify(chain, failure) + "; " + who);
  }

  /** Judges how long the leaf certificate stays valid. */
  static Finding expiry(List<X509Certificate> chain, Instant now) {
    if (chain.isEmpty()) {
      return EXPIRY.skip("no certificate presented");
    }
    X509Certificate leaf = chain.get(0);
    Instant notAfter = leaf.getNotAfter().toInstant();
    Instant notBefore = leaf.getNotBefore().toInstant();
    if (now.isBefore(notBefore)) {
      return EXPIRY.fail("not valid before " + notBefore);
    }
    if (!now.isBefore(notAfter)) {
      return EXPIRY.fail("expired on " + notAfter);
    }
    long days = Duration.between(now, notAfter).toDays();
    if (Duration.between(now, notAfter).compareTo(RENEWAL_MARGIN) < 0) {
      return EXPIRY.warn("expires in " + days + " days (" + notAfter + ")");
    }
    return EXPIRY.pass("valid until " + notAfter + " (" + days + " days)");
  }

  private static String classify(List<X509Certificate> chain, CertificateException failure) {
    String message = String.valueOf(failure.getMessage());
    String lower = message.toLowerCase(Locale.ROOT);
    X509Certificate leaf = chain.get(0);
    Instant now = Instant.now();
    if (now.isAfter(leaf.getNotAfter().toInstant())) {
      return "expired certificate";
    }
    if (lower.contains("no subject alternative") || lower.contains("no name matching")) {
      return "host name mismatch (" + message + ")";
    }
    if (chain.size() == 1 && leaf.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
      return "self-signed certificate, not trusted";
    }
    return "untrusted chain (" + firstLine(message) + ")";
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    String line = newline < 0 ? text : text.substring(0, newline);
    return line.length() > 160 ? line.substring(0, 157) + "..." : line;
  }
}
