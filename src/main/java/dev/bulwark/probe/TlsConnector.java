package dev.bulwark.probe;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;

/**
 * Opens TCP and TLS connections to the target, recording the certificate chain and whether the
 * trust anchors and host name accept it; trust failures are recorded, never silently ignored.
 */
final class TlsConnector {
  /** The protocols the JDK can offer; TLS 1.0 and 1.1 are probed with a raw ClientHello. */
  static final List<String> MODERN_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  private final ProbeTarget target;
  private final int timeoutMillis;
  private final X509ExtendedTrustManager trust;

  TlsConnector(ProbeOptions options) {
    this.target = options.target();
    this.timeoutMillis = (int) options.timeout().toMillis();
    this.trust = trustManager(options.caFile());
  }

  /** The result of one TLS handshake. */
  record Handshake(
      SSLSocket socket,
      String protocol,
      String cipherSuite,
      List<X509Certificate> chain,
      @Nullable CertificateException trustFailure) {}

  /** Connects a plain TCP socket to the given port of the target host. */
  Socket connectTcp(int port) throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(target.host(), port), timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      socket.setTcpNoDelay(true);
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  /** Completes a TLS handshake offering the given protocols; the caller closes the socket. */
  Handshake handshake(List<String> protocols) throws IOException {
    RecordingTrustManager recorder = new RecordingTrustManager(trust);
    SSLContext context;
    try {
      context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {recorder}, null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK offers no TLS context", e);
    }
    Socket tcp = connectTcp(target.port());
    SSLSocket socket;
    try {
      socket =
          (SSLSocket)
              context.getSocketFactory().createSocket(tcp, target.host(), target.port(), true);
    } catch (IOException e) {
      tcp.close();
      throw e;
    }
    try (Deadline deadline = Deadline.start(socket, timeoutMillis)) {
      socket.setEnabledProtocols(protocols.toArray(String[]::new));
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.setSoTimeout(timeoutMillis);
      try {
        socket.startHandshake();
      } catch (IOException e) {
        if (deadline.expired()) {
          throw timeout("no complete TLS handshake before the deadline", e);
        }
        throw e;
      }
      return new Handshake(
          socket,
          socket.getSession().getProtocol(),
          socket.getSession().getCipherSuite(),
          recorder.chain,
          recorder.failure);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** Returns the per-step deadline in milliseconds. */
  int timeoutMillis() {
    return timeoutMillis;
  }

  static SocketTimeoutException timeout(String message, IOException cause) {
    SocketTimeoutException timeout = new SocketTimeoutException(message);
    timeout.initCause(cause);
    return timeout;
  }

  /** Opens a TLS connection for HTTP exchanges. */
  SSLSocket open() throws IOException {
    return handshake(MODERN_PROTOCOLS).socket();
  }

  private static X509ExtendedTrustManager trustManager(@Nullable Path caFile) {
    try {
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (caFile == null) {
        factory.init((KeyStore) null);
      } else {
        KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
        anchors.load(null, null);
        int i = 0;
        for (X509Certificate certificate : readPem(caFile)) {
          anchors.setCertificateEntry("ca-" + i++, certificate);
        }
        if (i == 0) {
          throw new IllegalArgumentException(
              "ca-file: " + caFile + " (expected: PEM certificates)");
        }
        factory.init(anchors);
      }
      return Arrays.stream(factory.getTrustManagers())
          .filter(X509ExtendedTrustManager.class::isInstance)
          .map(X509ExtendedTrustManager.class::cast)
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("the JDK offers no X509 trust manager"));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "ca-file: " + caFile + " (expected: a readable file of PEM certificates)", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "ca-file: " + caFile + " (expected: a readable file of PEM certificates)", e);
    }
  }

  private static List<X509Certificate> readPem(Path file)
      throws IOException, GeneralSecurityException {
    List<X509Certificate> certificates = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        if (c instanceof X509Certificate x509) {
          certificates.add(x509);
        }
      }
    }
    return certificates;
  }

  /** Records the server's chain and the delegate's verdict on it, then lets the handshake go on. */
  private static final class RecordingTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private List<X509Certificate> chain = List.of();
    private @Nullable CertificateException failure;

    RecordingTrustManager(X509ExtendedTrustManager delegate) {
      this.delegate = delegate;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certs, String authType, Socket socket) {
      chain = List.of(certs);
      try {
        delegate.checkServerTrusted(certs, authType, socket);
      } catch (CertificateException e) {
        failure = e;
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certs, String authType, SSLEngine engine) {
      chain = List.of(certs);
      try {
        delegate.checkServerTrusted(certs, authType, engine);
      } catch (CertificateException e) {
        failure = e;
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certs, String authType) {
      chain = List.of(certs);
      try {
        delegate.checkServerTrusted(certs, authType);
      } catch (CertificateException e) {
        failure = e;
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certs, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("the probe is a client");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certs, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("the probe is a client");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certs, String authType)
        throws CertificateException {
      throw new CertificateException("the probe is a client");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
  }
}
