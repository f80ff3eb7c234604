package dev.bulwark.server;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ClientCertificateDemand;
import dev.bulwark.config.TlsConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.TrustOptions;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The HTTPS listener's TLS: TLS 1.2 and 1.3 only, forward-secret AEAD suites only (an explicit
 * list, since OpenSSL with none enables every suite), ALPN h2 and http/1.1, BoringSSL when it loads
 * (no client-initiated renegotiation), else the JDK engine with renegotiation refused.
 */
final class TlsSetup {
  /** TLS 1.3 suites, then TLS 1.2 ECDHE suites with AES-GCM or ChaCha20-Poly1305. */
  static final List<String> CIPHER_SUITES =
      List.of(
          "TLS_AES_128_GCM_SHA256",
          "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private TlsSetup() {}

  /** Returns whether BoringSSL (netty-tcnative) is usable in this process. */
  static boolean openSslAvailable() {
    try {
      return OpenSSLEngineOptions.isAvailable();
    } catch (LinkageError e) {
      return false;
    }
  }

  /** Returns the engine the configuration asks for, falling back to the JDK under {@code auto}. */
  static SSLEngineOptions engine(TlsConfig tls) {
    boolean openssl =
        switch (tls.engine()) {
          case OPENSSL -> true;
          case JDK -> false;
          case AUTO -> openSslAvailable();
        };
    if (openssl) {
      return new OpenSSLEngineOptions().setSessionCacheEnabled(true);
    }
    // The JDK engine accepts client-initiated renegotiation unless the process sets
    // jdk.tls.rejectClientInitiatedRenegotiation, which Main does before anything starts.
    return new JdkSSLEngineOptions();
  }

  static Set<String> protocols(TlsConfig tls) {
    return tls.minVersion().equals("TLSv1.3")
        ? Set.of("TLSv1.3")
        : new LinkedHashSet<>(List.of("TLSv1.2", "TLSv1.3"));
  }

  /** Applies TLS to the HTTPS listener's options, requesting a client certificate if asked. */
  static void apply(HttpServerOptions options, BulwarkConfig config) {
    apply(options, config.tls());
    if (ClientCertificateDemand.anyRoute(config)) {
      options
          .setClientAuth(ClientAuth.REQUEST)
          .setTrustOptions(
              TrustOptions.wrap(
                  new AnyClientCertificate(ClientCertificateDemand.issuersOf(config))));
    }
  }

  /** Applies TLS to the HTTPS listener's options. */
  static void apply(HttpServerOptions options, TlsConfig tls) {
    options
        .setSsl(true)
        .setUseAlpn(true)
        .setSslEngineOptions(engine(tls))
        .setKeyCertOptions(keyCert(tls))
        .setEnabledSecureTransportProtocols(protocols(tls))
        .setSslHandshakeTimeout(10)
        .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
    for (String suite : CIPHER_SUITES) {
      options.addEnabledCipherSuite(suite);
    }
  }

  /**
   * Returns the SSL options used to swap certificates, or the client certificate request, on a
   * running listener.
   */
  static ServerSSLOptions sslOptions(BulwarkConfig config) {
    ServerSSLOptions o = sslOptions(config.tls());
    if (ClientCertificateDemand.anyRoute(config)) {
      o.setClientAuth(ClientAuth.REQUEST)
          .setTrustOptions(
              TrustOptions.wrap(
                  new AnyClientCertificate(ClientCertificateDemand.issuersOf(config))));
    }
    return o;
  }

  /** Returns whether two configurations ask the listener for different client certificates. */
  static boolean clientCertificatesChanged(BulwarkConfig before, BulwarkConfig after) {
    return ClientCertificateDemand.anyRoute(before) != ClientCertificateDemand.anyRoute(after)
        || !ClientCertificateDemand.issuersOf(before)
            .equals(ClientCertificateDemand.issuersOf(after));
  }

  /** Returns the SSL options used to swap certificates on a running listener. */
  static ServerSSLOptions sslOptions(TlsConfig tls) {
    ServerSSLOptions o =
        new ServerSSLOptions()
            .setKeyCertOptions(keyCert(tls))
            .setEnabledSecureTransportProtocols(protocols(tls))
            .setUseAlpn(true)
            .setSslHandshakeTimeout(10)
            .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
    for (String suite : CIPHER_SUITES) {
      o.addEnabledCipherSuite(suite);
    }
    return o;
  }

  /**
   * Serves the chain and key that the configuration checked as a pair, not the files: read again
   * here, a certificate renewed between the check and this moment could meet the old key.
   */
  private static PemKeyCertOptions keyCert(TlsConfig tls) {
    return new PemKeyCertOptions()
        .setCertValue(Buffer.buffer(tls.pair().chainPem()))
        .setKeyValue(Buffer.buffer(tls.pair().keyPem()));
  }
}
