package dev.bulwark.probe;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;

/** Checks the transport: TLS versions, cipher suites, renegotiation, HTTP redirect and HSTS. */
final class TransportChecks {
  static final Check LEGACY_TLS =
      new Check(
          "transport.legacy-tls",
          CheckFamily.TRANSPORT,
          Severity.CRITICAL,
          "TLS 1.0 and 1.1 are refused",
          "Allow only TLS 1.2 and 1.3 (e.g. nginx: ssl_protocols TLSv1.2 TLSv1.3;).");
  static final Check TLS13 =
      new Check(
          "transport.tls13",
          CheckFamily.TRANSPORT,
          Severity.LOW,
          "TLS 1.3 is offered",
          "Enable TLS 1.3: faster handshakes and only AEAD suites.");
  static final Check CIPHER_SUITES =
      new Check(
          "transport.cipher-suites",
          CheckFamily.TRANSPORT,
          Severity.HIGH,
          "Only forward-secret AEAD cipher suites are accepted",
          "Restrict TLS 1.2 to ECDHE with AES-GCM or ChaCha20-Poly1305.");
  static final Check RENEGOTIATION =
      new Check(
          "transport.renegotiation",
          CheckFamily.TRANSPORT,
          Severity.MEDIUM,
          "Client-initiated renegotiation is refused",
          "Refuse client-initiated renegotiation (JDK:"
              + " -Djdk.tls.rejectClientInitiatedRenegotiation=true; OpenSSL refuses it by default).");
  static final Check HTTP_REDIRECT =
      new Check(
          "transport.http-redirect",
          CheckFamily.TRANSPORT,
          Severity.HIGH,
          "Plain HTTP redirects to HTTPS, keeping path and query",
          "Answer every plain-HTTP request with 301/308 to the same path and query over https.");
  static final Check HSTS =
      new Check(
          "transport.hsts",
          CheckFamily.TRANSPORT,
          Severity.HIGH,
          "Strict-Transport-Security with max-age of at least one year",
          "Send Strict-Transport-Security: max-age=31536000; includeSubDomains on HTTPS responses.");

  static final long ONE_YEAR_SECONDS = 31_536_000L;
  private static final Pattern MAX_AGE = Pattern.compile("max-age\\s*=\\s*\"?(\\d+)\"?");
  private static final int MAX_CIPHER_ROUNDS = 16;

  private final ProbeContext context;

  TransportChecks(ProbeContext context) {
    this.context = context;
  }

  /** Runs every transport check except the certificate ones. */
  List<Finding> run() {
    List<Finding> findings = new ArrayList<>();
    findings.add(legacyTls());
    findings.add(tls13());
    findings.add(cipherSuites());
    findings.add(renegotiation());
    findings.add(httpRedirect());
    findings.add(hsts(context.baseline()));
    return findings;
  }

  Finding legacyTls() {
    List<String> accepted = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (TlsVersion version : List.of(TlsVersion.TLS_1_0, TlsVersion.TLS_1_1)) {
      try {
        ClientHelloProbe.Answer answer = context.hello().offer(version, CipherSuite.CATALOG);
        if (answer instanceof ClientHelloProbe.Accepted a && a.version() == version) {
          accepted.add(version + " (" + a.suite().name() + ")");
        } else if (answer instanceof ClientHelloProbe.Refused r) {
          refused.add(version + ": " + r.reason());
        } else if (answer instanceof ClientHelloProbe.Accepted a) {
          refused.add(version + ": server answered " + a.version());
        } else {
          refused.add(version + ": not a TLS answer");
        }
      } catch (IOException e) {
        refused.add(version + ": " + ProbeContext.describe(e));
      }
    }
    if (!accepted.isEmpty()) {
      return LEGACY_TLS.fail("accepted " + String.join(", ", accepted));
    }
    return LEGACY_TLS.pass("refused " + String.join("; ", refused));
  }

  Finding tls13() {
    try (SSLSocket socket = context.connector().handshake(List.of("TLSv1.3")).socket()) {
      return TLS13.pass("negotiated " + socket.getSession().getCipherSuite());
    } catch (SSLException e) {
      return TLS13.warn("TLS 1.3 refused: " + e.getMessage());
    } catch (IOException e) {
      return TLS13.warn("TLS 1.3 not established: " + ProbeContext.describe(e));
    }
  }

  Finding cipherSuites() {
    List<CipherSuite> offer = new ArrayList<>(CipherSuite.weakSuites());
    List<String> accepted = new ArrayList<>();
    String lastRefusal = "";
    try {
      for (int round = 0; round < MAX_CIPHER_ROUNDS && !offer.isEmpty(); round++) {
        ClientHelloProbe.Answer answer = context.hello().offer(TlsVersion.TLS_1_2, offer);
        if (answer instanceof ClientHelloProbe.Accepted a) {
          if (!offer.remove(a.suite())) {
            accepted.add(a.suite().name() + " (not offered!)");
            break;
          }
          accepted.add(a.suite().name() + " [" + String.join(", ", a.suite().weaknesses()) + "]");
        } else {
          lastRefusal =
              answer instanceof ClientHelloProbe.Refused r ? r.reason() : "not a TLS answer";
          break;
        }
      }
    } catch (IOException e) {
      if (accepted.isEmpty()) {
        return CIPHER_SUITES.warn("could not offer weak suites: " + ProbeContext.describe(e));
      }
    }
    if (!accepted.isEmpty()) {
      return CIPHER_SUITES.fail(
          accepted.size() + " weak TLS 1.2 suite(s) accepted: " + String.join("; ", accepted));
    }
    return CIPHER_SUITES.pass(
        "all "
            + CipherSuite.weakSuites().size()
            + " weak TLS 1.2 suites refused ("
            + lastRefusal
            + ")");
  }

  Finding renegotiation() {
    TlsConnector.Handshake handshake;
    try {
      handshake = context.connector().handshake(List.of("TLSv1.2"));
    } catch (IOException e) {
      return RENEGOTIATION.pass("TLS 1.2 not offered; TLS 1.3 has no renegotiation");
    }
    CountDownLatch completed = new CountDownLatch(1);
    SSLSocket socket = handshake.socket();
    try (socket) {
      socket.addHandshakeCompletedListener(event -> completed.countDown());
      socket.startHandshake(); // on an established TLS 1.2 session this asks to renegotiate
      // No application data is sent: the client processes the server's handshake records while it
      // reads, and the read ends when the server refuses, closes, or stays silent until the wait.
      long waitMillis = Math.min(3_000, context.options().timeout().toMillis());
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
      socket.setSoTimeout(200);
      int read = -2;
      while (read == -2 && completed.getCount() > 0 && System.nanoTime() < until) {
        try {
          read = socket.getInputStream().read();
        } catch (SocketTimeoutException quiet) {
          read = -2; // a timed-out read leaves the TLS socket usable: keep driving the handshake
        }
      }
      if (completed.await(1, TimeUnit.SECONDS)) {
        return RENEGOTIATION.fail("a client-initiated TLS 1.2 renegotiation completed");
      }
      if (read == -1) {
        return RENEGOTIATION.pass("the server closed the connection when asked to renegotiate");
      }
      if (read == -2) {
        return RENEGOTIATION.pass("renegotiation request ignored for " + waitMillis + " ms");
      }
      return RENEGOTIATION.warn("unexpected data after asking to renegotiate");
    } catch (SSLException e) {
      return RENEGOTIATION.pass("renegotiation refused: " + e.getMessage());
    } catch (IOException e) {
      return RENEGOTIATION.pass(
          "connection ended after asking to renegotiate: " + ProbeContext.describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return RENEGOTIATION.skip("interrupted");
    }
  }

  Finding httpRedirect() {
    int port = context.options().httpPort();
    String path = context.target().path();
    String sent = path + (path.contains("?") ? "&" : "?") + "bulwark-probe=1";
    ProbeResponse response;
    try {
      response = context.client().sendPlain(port, ProbeRequest.get(sent));
    } catch (ConnectException e) {
      return HTTP_REDIRECT.pass("nothing listens on port " + port + " (" + e.getMessage() + ")");
    } catch (SocketTimeoutException e) {
      return HTTP_REDIRECT.pass("port " + port + " does not answer (filtered or silent)");
    } catch (IOException e) {
      return HTTP_REDIRECT.warn(
          "port " + port + " answered but not with HTTP: " + ProbeContext.describe(e));
    }
    String location = response.header("Location");
    if (!response.isRedirect() || location == null) {
      return HTTP_REDIRECT.fail(
          "http://"
              + context.target().authority(port, 80)
              + sent
              + " answered "
              + response.statusLine()
              + " instead of redirecting");
    }
    URI uri;
    try {
      uri = URI.create(location.trim());
    } catch (IllegalArgumentException e) {
      return HTTP_REDIRECT.fail("unparseable Location: " + location);
    }
    String scheme = uri.getScheme();
    if (scheme == null || !scheme.equalsIgnoreCase("https")) {
      return HTTP_REDIRECT.fail(response.status() + " to a non-HTTPS location: " + location);
    }
    String keptTarget =
        (uri.getRawPath() == null ? "" : uri.getRawPath())
            + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    if (!keptTarget.equals(sent)) {
      return HTTP_REDIRECT.warn(
          response.status() + " to " + location + " loses path or query " + sent);
    }
    if (response.status() != 301 && response.status() != 308) {
      return HTTP_REDIRECT.warn(
          response.status() + " (temporary) to " + location + "; prefer 301/308");
    }
    return HTTP_REDIRECT.pass(response.status() + " to " + location);
  }

  static Finding hsts(ProbeResponse baseline) {
    String value = baseline.header("Strict-Transport-Security");
    if (value == null) {
      return HSTS.fail("no Strict-Transport-Security header");
    }
    @Nullable Long maxAge = maxAge(value);
    if (maxAge == null) {
      return HSTS.fail("Strict-Transport-Security without max-age: " + value);
    }
    if (maxAge < ONE_YEAR_SECONDS) {
      return maxAge == 0
          ? HSTS.fail("max-age=0 switches HSTS off: " + value)
          : HSTS.warn("max-age=" + maxAge + " is under one year: " + value);
    }
    return HSTS.pass(value);
  }

  private static @Nullable Long maxAge(String value) {
    Matcher m = MAX_AGE.matcher(value.toLowerCase(Locale.ROOT));
    if (!m.find()) {
      return null;
    }
    try {
      return Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
