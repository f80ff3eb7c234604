package dev.bulwark.server;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The HTTPS listener's trust in client certificates, when some route asks for one: the handshake
 * takes any certificate whose key the client proves it holds (TLS does that), and names the routes'
 * CAs in its request so that clients pick the right certificate. Each route that asks verifies the
 * chain itself and answers 495 or 496; a route that does not ask ignores it. Failing the handshake
 * instead would break every route that shares the listener, with no error a client can read.
 */
final class AnyClientCertificate extends X509ExtendedTrustManager {
  private final X509Certificate[] issuers;

  AnyClientCertificate(List<X509Certificate> issuers) {
    this.issuers = issuers.toArray(new X509Certificate[0]);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) {
    // verified per route, by the client-certificate stage
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
    // verified per route, by the client-certificate stage
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    // verified per route, by the client-certificate stage
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("the HTTPS listener verifies no server");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("the HTTPS listener verifies no server");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("the HTTPS listener verifies no server");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return issuers.clone();
  }
}
