package dev.bulwark.testing;

import java.net.Socket;
import java.net.http.HttpClient;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jspecify.annotations.Nullable;

/**
 * TLS clients of the test gateway that present a client certificate whatever CAs the server names
 * in its request (the JDK's own key manager would keep a certificate of another CA to itself, and a
 * test of a foreign certificate must send it).
 */
public final class ClientCertificateClients {
  private ClientCertificateClients() {}

  /**
   * Returns an SSL context that trusts the test gateway and presents {@code chain} (or nothing).
   */
  public static SSLContext context(@Nullable PrivateKey key, X509Certificate... chain)
      throws Exception {
    return context(TestGateway.certificate().certificate(), key, chain);
  }

  /** Returns an SSL context that trusts {@code server} and presents {@code chain} (or nothing). */
  public static SSLContext context(
      X509Certificate server, @Nullable PrivateKey key, X509Certificate... chain) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("bulwark-test", server);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    KeyManager[] keys = key == null ? null : new KeyManager[] {new Fixed(key, chain)};
    ctx.init(keys, tmf.getTrustManagers(), null);
    return ctx;
  }

  /** Returns a JDK HTTP client of one HTTP version over {@code ssl}. */
  public static HttpClient client(SSLContext ssl, HttpClient.Version version) {
    return HttpClient.newBuilder()
        .sslContext(ssl)
        .version(version)
        .connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /** A key manager that always offers its one certificate. */
  private static final class Fixed extends X509ExtendedKeyManager {
    private final PrivateKey key;
    private final X509Certificate[] chain;

    Fixed(PrivateKey key, X509Certificate[] chain) {
      this.key = key;
      this.chain = chain.clone();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return new String[] {"client"};
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return "client";
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine e) {
      return "client";
    }

    @Override
    public String @Nullable [] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public @Nullable String chooseServerAlias(String keyType, Principal[] issuers, Socket s) {
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return chain.clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return key;
    }
  }
}
