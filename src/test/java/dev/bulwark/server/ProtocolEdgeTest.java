package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Request-line versions, expectations and what follows a connection-ending error (issue 16 F6, F7
 * and the smaller findings): every answer is an HTTP/1.1 status line with the JSON error, the
 * security headers, a Date and an access-log line, and nothing after a fatal error is run.
 */
class ProtocolEdgeTest {
  static StubUpstream upstream;
  static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    upstream = new StubUpstream();
    gw =
        TestGateway.start(
            """
            defaults:
              limits: { header-count: 20 }
            routes:
              - name: streams
                public: true
                match: { path: /stream/** }
                upstream: UPSTREAM
                limits: { request-body: stream }
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
  void drain() throws Exception {
    while (upstream.poll(50) != null) {
      // requests a test legitimately forwarded
    }
  }

  @ParameterizedTest
  @CsvSource({"JUNK/1.0, 400", "HTTP/2.0, 505", "HTTP/3.1, 505", "HTTP/0.9x, 400"})
  void unsupportedVersionsGetAJsonAnswerOnAnHttp11StatusLine(String version, int status)
      throws Exception {
    String r =
        gw.raw("GET /v HTTP/1.1".replace("HTTP/1.1", version) + "\r\nHost: localhost\r\n\r\n");
    assertThat(r).startsWith("HTTP/1.1 " + status + " ");
    assertThat(r).contains("\"status\":" + status, "\"requestId\"");
    assertThat(r.toLowerCase(java.util.Locale.ROOT))
        .contains("x-content-type-options: nosniff", "\ndate: ");
    assertThat(upstream.poll(200)).isNull();
    gw.awaitLine("\"status\":" + status);
  }

  @Test
  void aLaterMinorVersionIsServedAsHttp11() throws Exception {
    String r = gw.raw("GET /v HTTP/1.2\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assertThat(r).startsWith("HTTP/1.1 200 ");
    assertThat(upstream.next().uri()).isEqualTo("/v");
  }

  @Test
  void anExpectationOtherThan100ContinueIs417() throws Exception {
    String r =
        gw.raw(
            "POST /e HTTP/1.1\r\nHost: localhost\r\nExpect: 200-ok\r\nContent-Length: 2\r\n\r\nhi");
    assertThat(r).startsWith("HTTP/1.1 417 ").contains("\"status\":417");
    assertThat(upstream.poll(200)).isNull();
  }

  @Test
  void theGatewaysOwnAnswersCarryADate() throws Exception {
    String r = gw.raw("GET /%2e%2e/x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assertThat(r).startsWith("HTTP/1.1 400 ");
    assertThat(r.toLowerCase(java.util.Locale.ROOT)).containsPattern("\ndate: \\w{3}, \\d{2} ");
  }

  @Test
  void nothingPipelinedAfterAFramingErrorIsRun() throws Exception {
    String r =
        gw.raw(
            "POST /first HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: identity, chunked\r\n\r\n"
                + "0\r\n\r\n"
                + "GET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertThat(r).startsWith("HTTP/1.1 400 ");
    assertThat(r.split("HTTP/1\\.1 ", -1)).hasSize(2);
    assertThat(upstream.poll(300)).isNull();
    gw.awaitLine("\"path\":\"/first\"");
    assertThat(gw.lines()).noneMatch(l -> l.contains("/smuggled"));
  }

  /** What arrived until the gateway closed the connection, or null when it kept it open. */
  private static @org.jspecify.annotations.Nullable String rawUntilClosed(String request)
      throws Exception {
    try (javax.net.ssl.SSLSocket s = gw.rawSocket()) {
      s.setSoTimeout(4000);
      s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      StringBuilder sb = new StringBuilder();
      byte[] buf = new byte[8192];
      try {
        int n;
        while ((n = s.getInputStream().read(buf)) > 0) {
          sb.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1));
        }
      } catch (java.net.SocketTimeoutException e) {
        return null;
      } catch (java.io.IOException e) {
        // a reset after the answer: what arrived is the answer
      }
      return sb.toString();
    }
  }

  @ParameterizedTest
  @CsvSource({
    "/chunked, zz",
    "/chunked, fffffffffffffffff",
    "/chunked, -5",
    "/stream/chunked, zz",
    "/stream/chunked, fffffffffffffffff"
  })
  void aBrokenChunkGetsA400WithTheJsonErrorThenTheConnectionCloses(String path, String size)
      throws Exception {
    String sent =
        rawUntilClosed(
            "POST "
                + path
                + " HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n"
                + size
                + "\r\nworld\r\n0\r\n\r\n"
                + "GET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertThat(sent).as("the connection was closed after the answer").isNotNull();
    String r = java.util.Objects.requireNonNull(sent);
    assertThat(r).startsWith("HTTP/1.1 400 ").contains("\"status\":400", "\"requestId\"");
    assertThat(r.toLowerCase(java.util.Locale.ROOT)).contains("x-content-type-options: nosniff");
    assertThat(r.split("HTTP/1\\.1 ", -1)).hasSize(2);
    gw.awaitLine("\"path\":\"" + path + "\"", "\"status\":400", "invalid message framing");
    assertThat(upstream.poll(300)).as("nothing reached the upstream").isNull();
    assertThat(gw.lines()).noneMatch(l -> l.contains("/smuggled"));
  }

  @Test
  void nothingPipelinedAfterTooManyHeaderLinesIsRun() throws Exception {
    StringBuilder many = new StringBuilder("GET /first HTTP/1.1\r\nHost: localhost\r\n");
    for (int i = 0; i < 30; i++) {
      many.append("X-H").append(i).append(": v\r\n");
    }
    many.append("\r\nGET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n");
    String r = gw.raw(many.toString());
    assertThat(r).startsWith("HTTP/1.1 431 ");
    assertThat(r.split("HTTP/1\\.1 ", -1)).hasSize(2);
    assertThat(upstream.poll(300)).isNull();
    gw.awaitLine("\"path\":\"/first\"");
    assertThat(gw.lines()).noneMatch(l -> l.contains("/smuggled"));
  }
}
