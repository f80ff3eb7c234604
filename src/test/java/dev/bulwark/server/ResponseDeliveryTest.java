package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;
import java.util.zip.CRC32;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every byte an upstream sent reaches the client, however slowly the client reads: an upstream that
 * delimits its body by closing the connection (HTTP/1.0, or {@code Connection: close} without a
 * length) is read to its end even while the client holds the response back; a response the upstream
 * really cut short is broken off for the client and logged as aborted, never as a clean 200.
 */
class ResponseDeliveryTest {
  static final int SIZE = 20 << 20;
  static final byte[] BODY = new byte[SIZE];
  static long bodyCrc;

  /** A raw upstream that writes one response per connection, then closes (or resets) it. */
  static final class ClosingUpstream implements AutoCloseable {
    final ServerSocket server;

    ClosingUpstream(String head, int bytes, boolean reset) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread t =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket s = server.accept();
                    Thread c = new Thread(() -> serve(s, head, bytes, reset));
                    c.setDaemon(true);
                    c.start();
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      t.setDaemon(true);
      t.start();
    }

    private static void serve(Socket s, String head, int bytes, boolean reset) {
      try (s) {
        readHead(s.getInputStream());
        OutputStream out = s.getOutputStream();
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        for (int i = 0; i < bytes; i += 64 * 1024) {
          out.write(BODY, i, Math.min(64 * 1024, bytes - i));
        }
        out.flush();
        if (reset) {
          s.setSoLinger(true, 0); // close with a TCP reset: the body is cut
        }
      } catch (IOException e) {
        // the test looks at what the client received
      }
    }

    private static void readHead(InputStream in) throws IOException {
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          return;
        }
        matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
      }
    }

    int port() {
      return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  static ClosingUpstream http10;
  static ClosingUpstream http11Close;
  static ClosingUpstream cut;
  static ClosingUpstream declared;
  static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    new Random(16).nextBytes(BODY);
    CRC32 crc = new CRC32();
    crc.update(BODY);
    bodyCrc = crc.getValue();
    http10 =
        new ClosingUpstream("HTTP/1.0 200 OK\r\nContent-Type: application/x\r\n\r\n", SIZE, false);
    http11Close =
        new ClosingUpstream(
            "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/x\r\n\r\n",
            SIZE,
            false);
    cut = new ClosingUpstream("HTTP/1.0 200 OK\r\n\r\n", 1 << 20, true);
    declared =
        new ClosingUpstream(
            "HTTP/1.1 200 OK\r\nContent-Length: " + (8 << 20) + "\r\n\r\n", 8 << 20, false);
    gw =
        TestGateway.start(
            """
            routes:
              - name: http10
                public: true
                match: { path: /http10/** }
                upstream: http://127.0.0.1:%d
              - name: http11-close
                public: true
                match: { path: /http11/** }
                upstream: http://127.0.0.1:%d
              - name: cut
                public: true
                match: { path: /cut/** }
                upstream: http://127.0.0.1:%d
              - name: short-timeout
                public: true
                match: { path: /short/** }
                upstream: http://127.0.0.1:%1$d
                limits: { timeout: 300ms }
              - name: send-timeout
                public: true
                match: { path: /stall/** }
                upstream: http://127.0.0.1:%1$d
                limits: { send-timeout: 1s }
              - name: send-timeout-small
                public: true
                match: { path: /small/** }
                upstream: http://127.0.0.1:%4$d
                limits: { send-timeout: 1s }
            """
                .formatted(http10.port(), http11Close.port(), cut.port(), declared.port()),
            0);
  }

  @AfterAll
  static void stop() throws IOException {
    gw.close();
    http10.close();
    http11Close.close();
    cut.close();
    declared.close();
  }

  @Test
  void closeDelimitedDownloadArrivesWholeForASlowHttp1Reader() throws Exception {
    byte[] got = slowHttp1Download("/http10/file");
    assertWhole(got);
    gw.awaitLine("\"route\":\"http10\"", "\"status\":200", "\"bytesOut\":" + SIZE);
  }

  @Test
  void connectionCloseWithoutLengthArrivesWholeForASlowHttp1Reader() throws Exception {
    byte[] got = slowHttp1Download("/http11/file");
    assertWhole(got);
    gw.awaitLine("\"route\":\"http11-close\"", "\"status\":200", "\"bytesOut\":" + SIZE);
  }

  @Test
  void aClientHoldingTheResponseBackIsNotAnUpstreamStall() throws Exception {
    // The gateway stops reading the upstream while the client reads nothing: that silence is the
    // client's doing, not the upstream's, and must not trip the route's 300ms upstream timeout.
    byte[] got = slowHttp1Download("/short/file", 1500);
    assertWhole(got);
    gw.awaitLine("\"route\":\"short-timeout\"", "\"status\":200", "\"bytesOut\":" + SIZE);
  }

  @Test
  void closeDelimitedDownloadArrivesWholeForASlowHttp2Reader() throws Exception {
    HttpResponse<InputStream> r =
        gw.client()
            .send(
                HttpRequest.newBuilder(URI.create(gw.url("/http10/h2")))
                    .timeout(Duration.ofSeconds(60))
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(r.statusCode()).isEqualTo(200);
    byte[] got;
    try (InputStream in = r.body()) {
      got = readSlowly(in, -1);
    }
    assertWhole(got);
    gw.awaitLine("\"path\":\"/http10/h2\"", "\"status\":200", "\"bytesOut\":" + SIZE);
  }

  @Test
  void aResponseTheUpstreamResetMidBodyIsBrokenOffAndLoggedAsAborted() throws Exception {
    try (SSLSocket s = gw.rawSocket()) {
      s.getOutputStream()
          .write(
              "GET /cut/x HTTP/1.1\r\nHost: localhost\r\n\r\n"
                  .getBytes(StandardCharsets.ISO_8859_1));
      BufferedInputStream in = new BufferedInputStream(s.getInputStream());
      String head = readHead(in);
      assertThat(head)
          .startsWith("HTTP/1.1 200")
          .containsIgnoringCase("transfer-encoding: chunked");
      assertThatThrownBy(() -> readChunked(in, false))
          .as("the chunked body must not end cleanly")
          .isInstanceOf(IOException.class);
    }
    String line = gw.awaitLine("\"route\":\"cut\"");
    assertThat(line).contains("\"decision\":\"aborted\"").contains("\"reason\":\"upstream");
  }

  @Test
  void aResponseTheUpstreamResetMidBodyIsResetOnHttp2AndLoggedAsAborted() throws Exception {
    HttpResponse<InputStream> r =
        gw.client()
            .send(
                HttpRequest.newBuilder(URI.create(gw.url("/cut/h2")))
                    .timeout(Duration.ofSeconds(20))
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> r.body().readAllBytes()).isInstanceOf(IOException.class);
    String line = gw.awaitLine("\"path\":\"/cut/h2\"");
    assertThat(line).contains("\"decision\":\"aborted\"");
  }

  @Test
  void aClientThatStopsReadingIsCutOffAfterTheSendTimeoutOverHttp1() throws Exception {
    try (SSLSocket s = smallWindowSocket()) {
      s.getOutputStream()
          .write(
              "GET /stall/h1 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                  .getBytes(StandardCharsets.ISO_8859_1));
      s.getInputStream().read(); // the response has started; then the client reads no more
      String line = awaitLine(Duration.ofSeconds(10), "\"path\":\"/stall/h1\"");
      assertThat(line)
          .contains("\"status\":200")
          .contains("\"decision\":\"aborted\"")
          .contains("\"reason\":\"client stopped reading for the send timeout\"");
      assertThat(drainsToEnd(s)).as("the connection was closed").isTrue();
    }
  }

  @Test
  void aStalledHttp1ReaderOfADeclaredLengthIsCutOffToo() throws Exception {
    // the upstream's whole body is soon in the client's queue: only the end is pending
    try (SSLSocket s = smallWindowSocket()) {
      s.getOutputStream()
          .write(
              "GET /small/x HTTP/1.1\r\nHost: localhost\r\n\r\n"
                  .getBytes(StandardCharsets.ISO_8859_1));
      s.getInputStream().read();
      String line = awaitLine(Duration.ofSeconds(10), "\"route\":\"send-timeout-small\"");
      assertThat(line).contains("\"decision\":\"aborted\"").contains("send timeout");
      assertThat(drainsToEnd(s)).as("the connection was closed").isTrue();
    }
  }

  @Test
  void aStalledReaderOfAResponseCheckedWholeIsCutOffToo() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("contract");
    java.nio.file.Path contract = dir.resolve("items.openapi.yaml");
    try (InputStream in =
        ResponseDeliveryTest.class.getResourceAsStream("/contract/items.openapi.yaml")) {
      java.nio.file.Files.write(contract, in.readAllBytes());
    }
    String big = "{\"pad\":\"" + "x".repeat(8 << 20) + "\"}";
    try (StubUpstream up = new StubUpstream();
        TestGateway checked =
            TestGateway.start(
                """
                routes:
                  - name: checked
                    public: true
                    match: { path: /api/** }
                    upstream: UPSTREAM
                    limits: { send-timeout: 1s }
                    contract:
                      file: %s
                      response: block
                      response-limit: 16MiB
                      json: { string-length: 16777216 }
                """
                    .formatted(contract),
                up.port())) {
      up.on("/api/items", r -> r.response().putHeader("content-type", "application/json").end(big));
      try (SSLSocket s = smallWindowSocket(checked.httpsPort())) {
        s.getOutputStream()
            .write(
                ("POST /api/items HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 12\r\n\r\n{\"name\":\"a\"}")
                    .getBytes(StandardCharsets.ISO_8859_1));
        s.getInputStream().read();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String line = null;
        while (line == null && System.nanoTime() < deadline) {
          line =
              checked.lines().stream()
                  .filter(l -> l.contains("\"route\":\"checked\""))
                  .findFirst()
                  .orElse(null);
          Thread.sleep(20);
        }
        assertThat(line)
            .isNotNull()
            .contains("\"status\":200")
            .contains("\"reason\":\"client stopped reading for the send timeout\"");
        assertThat(drainsToEnd(s)).as("the connection was closed").isTrue();
      }
    }
  }

  /**
   * A TLS connection whose receive buffer is small from the start (set before connecting, so the
   * kernel cannot grow it): a client that stops reading holds the response back at once.
   */
  private static SSLSocket smallWindowSocket() throws Exception {
    return smallWindowSocket(gw.httpsPort());
  }

  private static SSLSocket smallWindowSocket(int port) throws Exception {
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("gw", TestGateway.certificate().certificate());
    javax.net.ssl.TrustManagerFactory tmf =
        javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    Socket plain = new Socket();
    plain.setReceiveBufferSize(16 * 1024);
    plain.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5000);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "localhost", port, true);
    s.setSoTimeout(10_000);
    s.startHandshake();
    return s;
  }

  @Test
  void aClientThatStopsReadingIsResetAfterTheSendTimeoutOverHttp2() throws Exception {
    HttpResponse<InputStream> r =
        gw.client()
            .send(
                HttpRequest.newBuilder(URI.create(gw.url("/stall/h2")))
                    .timeout(Duration.ofSeconds(20))
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    try (InputStream in = r.body()) {
      in.read(); // then nothing more
      String line = awaitLine(Duration.ofSeconds(10), "\"path\":\"/stall/h2\"");
      assertThat(line)
          .contains("\"decision\":\"aborted\"")
          .contains("\"reason\":\"client stopped reading for the send timeout\"");
      assertThatThrownBy(in::readAllBytes)
          .as("the stream was reset")
          .isInstanceOf(IOException.class);
    }
  }

  /** Waits for a log line with every fragment, longer than TestGateway's two seconds. */
  static String awaitLine(Duration within, String... fragments) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      for (String l : gw.lines()) {
        if (java.util.Arrays.stream(fragments).allMatch(l::contains)) {
          return l;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError(
        "no log line with " + java.util.List.of(fragments) + " in " + gw.lines());
  }

  /** Reads what is left until the server closes the connection; false on a read timeout. */
  private static boolean drainsToEnd(SSLSocket s) throws IOException {
    byte[] buf = new byte[64 * 1024];
    try {
      while (s.getInputStream().read(buf) >= 0) {
        // discard what was on its way before the close
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset: closed too
    }
  }

  private static void assertWhole(byte[] got) {
    assertThat(got.length).as("bytes received").isEqualTo(SIZE);
    CRC32 crc = new CRC32();
    crc.update(got);
    assertThat(crc.getValue()).as("checksum").isEqualTo(bodyCrc);
  }

  /** GETs over HTTP/1.1, waits before reading, then reads the chunked body in small slow steps. */
  private static byte[] slowHttp1Download(String path) throws Exception {
    return slowHttp1Download(path, 500);
  }

  private static byte[] slowHttp1Download(String path, long waitMillis) throws Exception {
    try (SSLSocket s = gw.rawSocket()) {
      s.setSoTimeout(30_000);
      s.getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
      Thread.sleep(waitMillis); // the upstream writes (and closes) while the client reads nothing
      BufferedInputStream in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
      String head = readHead(in);
      assertThat(head)
          .startsWith("HTTP/1.1 200")
          .containsIgnoringCase("transfer-encoding: chunked");
      return readChunked(in, true);
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed in the response head");
      }
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  /** Decodes a chunked body to its last chunk; an early end of stream is an IOException. */
  private static byte[] readChunked(InputStream in, boolean slowly) throws Exception {
    ByteArrayOutputStream body = new ByteArrayOutputStream(SIZE);
    while (true) {
      String line = readLine(in);
      int semi = line.indexOf(';');
      int size = Integer.parseInt((semi < 0 ? line : line.substring(0, semi)).trim(), 16);
      if (size == 0) {
        readLine(in); // the empty line after the last chunk (no trailers)
        return body.toByteArray();
      }
      byte[] chunk = slowly ? readSlowly(in, size) : in.readNBytes(size);
      if (chunk.length < size) {
        throw new IOException("connection closed mid-chunk");
      }
      body.write(chunk);
      readLine(in);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("connection closed before the body's end");
      }
      if (b != '\r') {
        sb.append((char) b);
      }
    }
    return sb.toString().toLowerCase(Locale.ROOT);
  }

  /** Reads {@code n} bytes (or to the end when n < 0) 16 KiB at a time, pausing between reads. */
  private static byte[] readSlowly(InputStream in, int n) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream(n < 0 ? SIZE : n);
    byte[] buf = new byte[16 * 1024];
    while (n < 0 || out.size() < n) {
      int want = n < 0 ? buf.length : Math.min(buf.length, n - out.size());
      int got = in.read(buf, 0, want);
      if (got < 0) {
        break;
      }
      out.write(buf, 0, got);
      Thread.sleep(1); // at most 16 KiB per millisecond: slower than the upstream writes
    }
    return out.toByteArray();
  }
}
