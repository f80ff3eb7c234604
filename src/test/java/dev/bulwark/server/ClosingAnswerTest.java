package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every HTTP/1.1 answer after which the gateway closes the connection says so with {@code
 * Connection: close} (RFC 9112 §9.6), so a client does not send its next request into a closing
 * connection; answers on a connection that stays open do not.
 */
class ClosingAnswerTest {
  private static StubUpstream upstream;
  private static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    upstream = new StubUpstream();
    gw =
        TestGateway.start(
            """
            defaults:
              limits: { body: 1KiB, header: 4KiB, body-timeout: 1s }
            routes:
              - name: api
                public: true
                match: { path: /** }
                upstream: UPSTREAM
            """,
            upstream.port());
  }

  @AfterAll
  static void stop() {
    gw.close();
    upstream.close();
  }

  /** The response head (lower case), and whether the gateway closed the connection after it. */
  private record Answer(String head, boolean closed) {
    boolean saysClose() {
      return head.contains("\r\nconnection: close\r\n");
    }
  }

  private static Answer send(String request) throws Exception {
    try (SSLSocket s = gw.rawSocket()) {
      s.setSoTimeout(4000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder all = new StringBuilder();
      byte[] buf = new byte[8192];
      boolean closed;
      try {
        int n;
        while ((n = in.read(buf)) > 0) {
          all.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        }
        closed = true;
      } catch (SocketTimeoutException e) {
        closed = false;
      } catch (IOException e) {
        closed = true; // reset after the answer
      }
      int end = all.indexOf("\r\n\r\n");
      String head = end < 0 ? all.toString() : all.substring(0, end + 2);
      return new Answer(head.toLowerCase(Locale.ROOT), closed);
    }
  }

  private static void closesAndSaysSo(String status, String request) throws Exception {
    Answer a = send(request);
    assertThat(a.head()).startsWith("http/1.1 " + status);
    assertThat(a.closed()).as("closed after %s", status).isTrue();
    assertThat(a.saysClose()).as("Connection: close on %s", a.head()).isTrue();
  }

  @Test
  void aFramingErrorSaysItCloses() throws Exception {
    closesAndSaysSo(
        "400",
        "POST /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked, identity\r\n\r\n");
  }

  @Test
  void aRequestTheDecoderRefusedSaysItCloses() throws Exception {
    closesAndSaysSo(
        "431", "GET /x HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n");
    closesAndSaysSo("400", "GET /x JUNK/1.0\r\nHost: localhost\r\n\r\n");
  }

  @Test
  void aBodyOverTheLimitSaysItCloses() throws Exception {
    closesAndSaysSo(
        "413",
        "POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n" + "a".repeat(100));
  }

  @Test
  void aBodyTooSlowSaysItCloses() throws Exception {
    closesAndSaysSo("408", "POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\nab");
  }

  @Test
  void anUnknownExpectationSaysItCloses() throws Exception {
    closesAndSaysSo(
        "417",
        "POST /x HTTP/1.1\r\nHost: localhost\r\nExpect: 200-ok\r\nContent-Length: 2\r\n\r\nab");
  }

  @Test
  void answersOnAConnectionThatStaysOpenDoNotSayClose() throws Exception {
    for (String path : new String[] {"/x", "/%zz"}) {
      Answer a = send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
      assertThat(a.closed()).as(path).isFalse();
      assertThat(a.saysClose()).as(path).isFalse();
    }
  }
}
