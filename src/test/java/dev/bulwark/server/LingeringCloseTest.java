package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An HTTP/1.1 answer sent while the client is still uploading (413 on the declared length or on the
 * bytes counted, an upstream's early 401) reaches a client that reads only after it has sent
 * everything: the gateway ends its side and reads and drops the rest of the upload before it
 * closes, instead of a reset that loses the answer.
 */
class LingeringCloseTest {
  /** Far more than the socket buffers on both sides hold: the upload needs the gateway to read. */
  private static final int UPLOAD = 32 * 1024 * 1024;

  static StubUpstream upstream;
  static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    upstream = new StubUpstream();
    upstream.on(
        "/raw/early", // answered before its body is read
        r -> r.response().setStatusCode(401).putHeader("content-length", "0").end());
    gw =
        TestGateway.start(
            """
            routes:
              - name: early
                public: true
                match: { path: /raw/** }
                upstream: UPSTREAM
                limits: { request-body: stream, body: 64MiB }
              - name: small
                public: true
                match: { path: /** }
                upstream: UPSTREAM
                limits: { body: 1KiB }
            """,
            upstream.port());
  }

  @AfterAll
  static void stop() {
    gw.close();
    upstream.close();
  }

  /** Sends the head, then the whole body without reading, then reads until the gateway closes. */
  private static String uploadThenRead(String head, boolean chunked) throws IOException {
    try (SSLSocket s = gw.rawSocket()) {
      s.setSoTimeout(15_000);
      OutputStream out = s.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      byte[] piece = new byte[64 * 1024];
      Arrays.fill(piece, (byte) 'u');
      byte[] chunkHead =
          (Integer.toHexString(piece.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
      byte[] crlf = "\r\n".getBytes(StandardCharsets.ISO_8859_1);
      for (int sent = 0; sent < UPLOAD; sent += piece.length) {
        if (chunked) {
          out.write(chunkHead);
          out.write(piece);
          out.write(crlf);
        } else {
          out.write(piece);
        }
      }
      if (chunked) {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      }
      out.flush();
      StringBuilder sb = new StringBuilder();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
      }
      return sb.toString();
    }
  }

  @Test
  void a413OnTheDeclaredLengthReachesAClientThatReadsAfterUploading() throws Exception {
    String r =
        uploadThenRead(
            "POST /big HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + UPLOAD + "\r\n\r\n",
            false);
    assertThat(r).startsWith("HTTP/1.1 413 ").contains("\"status\":413", "\"requestId\"");
    assertThat(upstream.poll(200)).isNull();
  }

  @Test
  void a413OnTheCountedBytesOfAChunkedUploadReachesTheClientToo() throws Exception {
    String r =
        uploadThenRead(
            "POST /big HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n", true);
    assertThat(r).startsWith("HTTP/1.1 413 ").contains("\"status\":413");
    assertThat(upstream.poll(200)).isNull();
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void anUpstreamsEarlyAnswerReachesTheClientToo(boolean chunked) throws Exception {
    String framing = chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + UPLOAD;
    String r =
        uploadThenRead(
            "POST /raw/early HTTP/1.1\r\nHost: localhost\r\n" + framing + "\r\n\r\n", chunked);
    assertThat(r).startsWith("HTTP/1.1 401 ");
  }

  @Test
  void aClientThatFallsSilentIsDisconnectedAfterTheQuietTime() throws Exception {
    SSLContext trustAll = SSLContext.getInstance("TLS");
    trustAll.init(
        null,
        new TrustManager[] {
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] c, String a) {}

            @Override
            public void checkServerTrusted(X509Certificate[] c, String a) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          }
        },
        null);
    try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), gw.httpsPort());
        SSLSocket s =
            (SSLSocket)
                trustAll
                    .getSocketFactory()
                    .createSocket(plain, "localhost", gw.httpsPort(), false)) {
      s.setSoTimeout(5_000);
      s.startHandshake();
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /big HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n"
                  + "x".repeat(50_000))
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      assertThat(TestGateway.readAll(s)).startsWith("HTTP/1.1 413 ");
      // The gateway has ended its side; it still reads (and drops) until the client has been
      // silent for the quiet time, then closes: bytes sent after that are answered with a reset.
      Thread.sleep(LingeringClose.QUIET_MILLIS + 1_000);
      boolean reset = false;
      for (int i = 0; i < 5 && !reset; i++) {
        try {
          plain.getOutputStream().write(new byte[1024]);
          plain.getOutputStream().flush();
          Thread.sleep(200);
        } catch (IOException e) {
          reset = true;
        }
      }
      assertThat(reset).as("the gateway closed the silent connection").isTrue();
    }
  }
}
