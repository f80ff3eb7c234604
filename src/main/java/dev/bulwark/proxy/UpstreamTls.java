package dev.bulwark.proxy;

import dev.bulwark.config.KeyCertificatePair;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;

/**
 * The TLS client setting of upstream connections: TLS 1.2 and 1.3, the server's certificate checked
 * against the system trust store (or the route's CA bundle) and its name against the upstream host
 * (SNI sent), unless the route explicitly turned verification off; the route's client certificate
 * presented when the upstream asks for one. BoringSSL when it loads.
 */
final class UpstreamTls {
  private UpstreamTls() {}

  static SslContext context(UpstreamTarget.ClientKey key) throws IOException {
    SslContextBuilder b =
        SslContextBuilder.forClient()
            .sslProvider(openSslAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
            .protocols("TLSv1.3", "TLSv1.2");
    Path ca = key.caBundle();
    if (key.insecureSkipVerify()) {
      b.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
    } else {
      if (ca != null) {
        b.trustManager(ca.toFile());
      }
      b.endpointIdentificationAlgorithm("HTTPS");
    }
    KeyCertificatePair client = key.clientCertificate();
    PrivateKey privateKey = client.privateKey();
    if (!client.isEmpty() && privateKey != null) {
      // mutual TLS: the pair was read and checked with the configuration, so a renewed file
      // reloads the configuration and brings a new client key, and with it new connections
      b.keyManager(privateKey, client.chain().toArray(new X509Certificate[0]));
    }
    try {
      return b.build();
    } catch (SSLException e) {
      throw new IOException("cannot set up upstream TLS: " + e.getMessage(), e);
    }
  }

  private static boolean openSslAvailable() {
    try {
      return OpenSsl.isAvailable();
    } catch (LinkageError e) {
      return false;
    }
  }
}
