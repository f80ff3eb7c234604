package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Request smuggling, parser limits, body limits and slow clients, written byte by byte on raw TLS
 * connections; after each one the gateway must still serve a normal request.
 */
class HostileRequestTest {
  static StubUpstream upstream;
  static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    upstream = new StubUpstream();
    gw =
        TestGateway.start(
            """
            defaults:
              limits: { body: 1KiB, uri: 1KiB, header: 4KiB, header-count: 20, header-timeout: 1s, idle-timeout: 3s, body-timeout: 1s }
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

  @AfterEach
  void stillServesOthers() throws Exception {
    assertThat(gw.get("/health-after").statusCode()).isEqualTo(200);
    while (upstream.poll(50) != null) {
      // drain what the hostile request legitimately forwarded, if anything
    }
  }

  private static void assertRefusedAndClosed(String response, int status) {
    // A request whose line could not be parsed is answered as HTTP/1.0.
    assertThat(response).matches("(?s)HTTP/1\\.[01] " + status + " .*");
    assertThat(response).contains("\"status\":" + status).contains("\"requestId\":\"");
    // Exactly one response: nothing smuggled behind it was answered.
    assertThat(response.split("HTTP/1\\.[01] ", -1)).hasSize(2);
  }

  @Test
  void contentLengthWithTransferEncodingIsRefusedAndClosed() throws Exception {
    String res =
        gw.raw(
            "POST /a HTTP/1.1\r\nHost: localhost\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertRefusedAndClosed(res, 400);
    assertThat(upstream.poll(300)).isNull();
  }

  @Test
  void http10WithTransferEncodingIsRefused() throws Exception {
    String res =
        gw.raw(
            "POST /a HTTP/1.0\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"
                + "1\r\nZ\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertThat(res).contains(" 400 ").contains("\"status\":400");
    assertThat(upstream.poll(300)).isNull();
  }

  @Test
  void duplicateContentLengthIsRefused() throws Exception {
    String res =
        gw.raw(
            "POST /a HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde");
    assertRefusedAndClosed(res, 400);
  }

  @Test
  void invalidContentLengthIsRefused() throws Exception {
    for (String cl : new String[] {"-1", "+5", "5a", "0x10"}) {
      String res =
          gw.raw("POST /a HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + cl + "\r\n\r\nabcde");
      assertThat(res).as(cl).startsWith("HTTP/1.1 400").contains("\"status\":400");
    }
  }

  @Test
  void transferEncodingVariantsAreRefused() throws Exception {
    for (String te :
        new String[] {
          "chunked, identity", "xchunked", "identity", "chunked\r\nTransfer-Encoding: chunked"
        }) {
      String res =
          gw.raw(
              "POST /a HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: "
                  + te
                  + "\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(res).as(te).startsWith("HTTP/1.1 400");
      assertThat(res.split("HTTP/1\\.1 ", -1)).as(te).hasSize(2);
    }
    assertThat(upstream.poll(300)).isNull();
  }

  @Test
  void badChunkSizeClosesTheConnectionWithoutForwardingAnythingElse() throws Exception {
    String res =
        gw.raw(
            "POST /a HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"
                + "GET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertThat(res).doesNotContain("smuggled");
    assertThat(res.split("HTTP/1\\.1 ", -1).length).isLessThanOrEqualTo(2);
    StubUpstream.Received r;
    while ((r = upstream.poll(300)) != null) {
      assertThat(r.uri()).isNotEqualTo("/smuggled");
    }
  }

  @Test
  void oversizedUriGets414() throws Exception {
    String res = gw.raw("GET /" + "a".repeat(2000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertRefusedAndClosed(res, 414);
  }

  @Test
  void oversizedHeadersGet431() throws Exception {
    String res =
        gw.raw("GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "b".repeat(5000) + "\r\n\r\n");
    assertRefusedAndClosed(res, 431);
  }

  @Test
  void tooManyHeaderFieldsGet431() throws Exception {
    StringBuilder sb = new StringBuilder("GET / HTTP/1.1\r\nHost: localhost\r\n");
    for (int i = 0; i < 30; i++) {
      sb.append("X-H").append(i).append(": v\r\n");
    }
    String res = gw.raw(sb.append("\r\n").toString());
    assertRefusedAndClosed(res, 431);
    assertThat(upstream.poll(200)).isNull();
  }

  @Test
  void repeatedHeaderLinesCountEachTime() throws Exception {
    String res =
        gw.raw("GET / HTTP/1.1\r\nHost: localhost\r\n" + "X-Dup: v\r\n".repeat(25) + "\r\n");
    assertRefusedAndClosed(res, 431);
  }

  @Test
  void declaredBodyOverLimitGets413BeforeAnyByteIsForwarded() throws Exception {
    String res =
        gw.raw(
            "POST /a HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n"
                + "x".repeat(100));
    assertRefusedAndClosed(res, 413);
    assertThat(upstream.poll(300)).isNull();
  }

  @Test
  void chunkedBodyOverLimitGets413WhileStreaming() throws Exception {
    StringBuilder sb =
        new StringBuilder(
            "POST /a HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 10; i++) {
      sb.append("200\r\n").append("y".repeat(512)).append("\r\n");
    }
    sb.append("0\r\n\r\n");
    String res = gw.raw(sb.toString());
    assertRefusedAndClosed(res, 413);
    gw.awaitLine("\"status\":413", "body over the route's limit");
    StubUpstream.Received r = upstream.poll(300);
    assertThat(r).as("an over-limit body never completes at the upstream").isNull();
  }

  @Test
  void http2BodyWithoutLengthOverLimitIsRefusedWhileStreaming() throws Exception {
    byte[] big = new byte[64 * 1024];
    java.net.http.HttpRequest req =
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(gw.url("/upload")))
            .POST(
                java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(big)))
            .build();
    java.net.http.HttpResponse<String> r;
    try {
      r = gw.client().send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      // The stream may be reset before the client reads the answer: still refused, never forwarded.
      r = null;
    }
    if (r != null) {
      assertThat(r.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
      assertThat(r.statusCode()).isEqualTo(413);
      assertThat(r.body()).contains("\"status\":413");
    }
    gw.awaitLine("\"status\":413", "\"path\":\"/upload\"");
    assertThat(upstream.poll(300))
        .as("an over-limit body never completes at the upstream")
        .isNull();
  }

  @Test
  void slowHeadersAreCutOff() throws Exception {
    try (SSLSocket s = gw.rawSocket()) {
      OutputStream out = s.getOutputStream();
      out.write("GET / HTTP/1.1\r\nHost: local".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      long start = System.nanoTime();
      String res = TestGateway.readAll(s);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(res).isEmpty();
      assertThat(ms)
          .as("closed by the 1s header timeout, not the 10s read timeout")
          .isLessThan(5000);
    }
  }

  @Test
  void slowHeadOfASecondRequestOnAKeptAliveConnectionIsCutOff() throws Exception {
    try (SSLSocket s = gw.rawSocket()) {
      OutputStream out = s.getOutputStream();
      out.write(
          "GET /first HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      byte[] buf = new byte[4096];
      int n = s.getInputStream().read(buf);
      assertThat(new String(buf, 0, n, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200");
      long start = System.nanoTime();
      boolean closed = false;
      // One byte every 200ms: the idle timeout (3s here) would never fire; the header timeout (1s)
      // must.
      for (char c : "GET /second HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".toCharArray()) {
        try {
          out.write(c);
          out.flush();
        } catch (java.io.IOException e) {
          closed = true;
          break;
        }
        Thread.sleep(200);
        if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) > 2800) {
          break;
        }
      }
      assertThat(closed || TestGateway.readAll(s).isEmpty()).isTrue();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
          .as("cut off by the 1s header timeout, before the 3s idle timeout")
          .isLessThan(2900);
    }
  }

  @Test
  void slowBodyGets408() throws Exception {
    try (SSLSocket s = gw.rawSocket()) {
      OutputStream out = s.getOutputStream();
      out.write(
          "POST /a HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nabc"
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String res = TestGateway.readAll(s);
      assertThat(res).startsWith("HTTP/1.1 408").contains("\"status\":408");
    }
  }

  @Test
  void clientDisconnectingMidBodyDoesNotHurtTheGateway() throws Exception {
    for (int i = 0; i < 5; i++) {
      try (SSLSocket s = gw.rawSocket()) {
        OutputStream out = s.getOutputStream();
        out.write(
            "POST /a HTTP/1.1\r\nHost: localhost\r\nContent-Length: 900\r\n\r\nabc"
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      }
    }
    gw.awaitLine("\"status\":499");
  }

  @Test
  void garbageRequestLineGets400() throws Exception {
    String res = gw.raw("\u0001\u0002GARBAGE\r\n\r\n");
    assertRefusedAndClosed(res, 400);
  }
}
