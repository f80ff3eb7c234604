package dev.bulwark.testing;

import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.endpoint.EndpointCatalog;
import dev.bulwark.observe.LogSink;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.policy.PolicyFactory;
import dev.bulwark.server.Gateway;
import dev.bulwark.server.SelfSignedCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real gateway on ephemeral ports for in-process tests: generated certificate, one event loop,
 * log lines captured, and clients that trust the certificate (JDK HttpClient, raw TLS socket).
 */
public final class TestGateway implements AutoCloseable {
  private static volatile SelfSignedCertificate cert;

  private final Path dir;
  private final Path configFile;
  private final Gateway gateway;
  private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
  private final SSLContext ssl;

  private TestGateway(Path dir, Path configFile, String yaml, Map<String, String> env)
      throws Exception {
    this(dir, configFile, yaml, env, PolicyCatalog.standard());
  }

  private TestGateway(
      Path dir, Path configFile, String yaml, Map<String, String> env, PolicyCatalog catalog)
      throws Exception {
    this.dir = dir;
    this.configFile = configFile;
    Files.writeString(configFile, yaml);
    SecretResolver secrets = new SecretResolver(env::get);
    ConfigLoader.Loaded loaded =
        EndpointCatalog.standard().loader(catalog, secrets).load(configFile);
    LogSink sink = lines::add;
    this.gateway = Gateway.start(loaded.config(), configFile, sink, secrets, catalog);
    this.ssl = sslContext(certificate());
  }

  /** Returns the test certificate, generated once per JVM. */
  public static synchronized SelfSignedCertificate certificate() throws IOException {
    if (cert == null) {
      cert =
          SelfSignedCertificate.generate(
              Files.createTempDirectory("bulwark-test-cert"), List.of("localhost"));
    }
    return cert;
  }

  /**
   * Starts a gateway whose config is the standard listen/tls header followed by {@code body} (YAML
   * for defaults, routes and so on); {@code UPSTREAM} in the body is replaced by the stub's port.
   */
  public static TestGateway start(String body, int upstreamPort) throws Exception {
    return start(body, upstreamPort, Map.of());
  }

  public static TestGateway start(String body, int upstreamPort, Map<String, String> env)
      throws Exception {
    Path dir = Files.createTempDirectory("bulwark-test");
    return new TestGateway(dir, dir.resolve("bulwark.yaml"), yaml(body, upstreamPort), env);
  }

  /**
   * Starts a gateway like {@link #start(String, int)} whose catalog holds the standard features and
   * {@code extra} ones (features that exist only for a test).
   */
  public static TestGateway startWith(
      List<? extends PolicyFactory<?>> extra, String body, int upstreamPort) throws Exception {
    Path dir = Files.createTempDirectory("bulwark-test");
    List<PolicyFactory<?>> all = new java.util.ArrayList<>(PolicyCatalog.standard().factories());
    all.addAll(extra);
    return new TestGateway(
        dir,
        dir.resolve("bulwark.yaml"),
        yaml(body, upstreamPort),
        Map.of(),
        PolicyCatalog.of(all));
  }

  /** Starts a gateway from complete YAML. */
  public static TestGateway startYaml(String yaml) throws Exception {
    Path dir = Files.createTempDirectory("bulwark-test");
    return new TestGateway(dir, dir.resolve("bulwark.yaml"), yaml, Map.of());
  }

  /** Starts a gateway whose TLS listener uses the given engine ({@code openssl} or {@code jdk}). */
  public static TestGateway startWithTls(String engine, String body, int upstreamPort)
      throws Exception {
    Path dir = Files.createTempDirectory("bulwark-test");
    String yaml =
        yaml(body, upstreamPort).replace("\nserver:", "\n  engine: " + engine + "\nserver:");
    return new TestGateway(dir, dir.resolve("bulwark.yaml"), yaml, Map.of());
  }

  /** Returns the full YAML for a body (listen on port 0, test TLS, one event loop). */
  public static String yaml(String body, int upstreamPort) throws IOException {
    SelfSignedCertificate c = certificate();
    return """
        listen:
          https: 127.0.0.1:0
          http: 127.0.0.1:0
          admin: 127.0.0.1:0
        tls:
          cert: %s
          key: %s
        server:
          event-loops: 1
          shutdown-grace: 1s
        """
            .formatted(c.certFile(), c.keyFile())
        + body.replace("UPSTREAM", "http://127.0.0.1:" + upstreamPort);
  }

  public Gateway gateway() {
    return gateway;
  }

  public Path configFile() {
    return configFile;
  }

  public Path dir() {
    return dir;
  }

  public int httpsPort() {
    return gateway.httpsPort();
  }

  /** Returns the https base URL (localhost, so the certificate's name matches). */
  public String url(String path) {
    return "https://localhost:" + httpsPort() + path;
  }

  /** Returns captured log lines (access and security events). */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /**
   * Waits up to five seconds for a log line containing every fragment: a thinned security event (a
   * repeat within its one-second window) is handed on by the once-a-second flush, so up to two
   * seconds after its request.
   */
  public String awaitLine(String... fragments) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline) {
      for (String l : lines) {
        boolean all = true;
        for (String f : fragments) {
          all &= l.contains(f);
        }
        if (all) {
          return l;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no log line with " + List.of(fragments) + " in " + lines);
  }

  /** Returns a JDK HTTP client (HTTP/2 preferred) that trusts the test certificate. */
  public HttpClient client() {
    return HttpClient.newBuilder()
        .sslContext(ssl)
        .version(HttpClient.Version.HTTP_2)
        .connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /** Sends a GET through the gateway and returns the response. */
  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return client()
        .send(
            HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  /** Returns a TLS context that trusts the gateway's test certificate. */
  public SSLContext sslContext() {
    return ssl;
  }

  /** Opens a raw TLS socket (HTTP/1.1 only) to the gateway. */
  public SSLSocket rawSocket() throws IOException {
    SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", httpsPort());
    s.setSoTimeout(10_000);
    s.startHandshake();
    return s;
  }

  /** Opens a TLS socket that accepts any certificate (to inspect what the server presents). */
  public SSLSocket rawSocketTrustingAll() throws Exception {
    SSLContext any = SSLContext.getInstance("TLS");
    any.init(
        null,
        new javax.net.ssl.TrustManager[] {
          new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
              return new java.security.cert.X509Certificate[0];
            }
          }
        },
        null);
    SSLSocket s = (SSLSocket) any.getSocketFactory().createSocket("127.0.0.1", httpsPort());
    s.setSoTimeout(5000);
    s.startHandshake();
    return s;
  }

  /**
   * Writes raw bytes on a fresh TLS connection and returns everything read until the server closes
   * the connection or the read times out.
   */
  public String raw(String request) throws IOException {
    try (SSLSocket s = rawSocket()) {
      s.setSoTimeout(3000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return readAll(s);
    }
  }

  /** Reads until EOF or timeout. */
  public static String readAll(Socket s) {
    StringBuilder sb = new StringBuilder();
    byte[] buf = new byte[8192];
    try {
      InputStream in = s.getInputStream();
      int n;
      while ((n = in.read(buf)) > 0) {
        sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
      }
    } catch (IOException e) {
      // timeout or reset: return what arrived
    }
    return sb.toString();
  }

  private static SSLContext sslContext(SelfSignedCertificate c) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("bulwark-test", c.certificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  @Override
  public void close() {
    gateway.close();
  }
}
