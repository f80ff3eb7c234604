package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Upstreams that refuse, reset, hang or talk garbage get 502/504 JSON, never a stack trace. */
class UpstreamFailureTest {
  /** A raw TCP upstream whose behaviour per connection is chosen by the test. */
  static final class RawUpstream implements AutoCloseable {
    final ServerSocket server;
    final Thread thread;

    RawUpstream(String behaviour) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      thread =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket s = server.accept();
                    new Thread(() -> serve(s, behaviour)).start();
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      thread.setDaemon(true);
      thread.start();
    }

    private static void serve(Socket s, String behaviour) {
      try (s) {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        int n = in.read(buf);
        if (n <= 0) {
          return;
        }
        OutputStream out = s.getOutputStream();
        switch (behaviour) {
          case "garbage" ->
              out.write(
                  "SSH-2.0-OpenSSH_9.2\r\n\u0000\u0001binary\r\n\r\n"
                      .getBytes(StandardCharsets.ISO_8859_1));
          case "reset" -> {
            s.setSoLinger(true, 0);
            return;
          }
          case "hang" -> Thread.sleep(10_000);
          case "slow-head" -> {
            Thread.sleep(200);
            out.write(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                    .getBytes(StandardCharsets.ISO_8859_1));
          }
          case "stall-mid-body" -> {
            out.write(
                "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst"
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(5_000);
          }
          case "nginx-like" ->
              out.write(
                  ("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: application/json\r\n"
                          + "Connection: keep-alive\r\nKeep-Alive: timeout=5\r\nX-Powered-By: Express\r\n"
                          + "Content-Length: 11\r\n\r\n{\"ok\":true}")
                      .getBytes(StandardCharsets.ISO_8859_1));
          case "half" ->
              out.write(
                  "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly a little"
                      .getBytes(StandardCharsets.ISO_8859_1));
          default -> {}
        }
        out.flush();
        Thread.sleep(200);
      } catch (IOException | InterruptedException e) {
        // the test only looks at the gateway's answer
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

  static RawUpstream garbage;
  static RawUpstream reset;
  static RawUpstream hang;
  static RawUpstream half;
  static RawUpstream nginxLike;
  static int closedPort;
  static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    garbage = new RawUpstream("garbage");
    reset = new RawUpstream("reset");
    hang = new RawUpstream("hang");
    half = new RawUpstream("half");
    nginxLike = new RawUpstream("nginx-like");
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    gw =
        TestGateway.start(
            """
            routes:
              - name: refused
                public: true
                match: { path: /refused/** }
                upstream: http://127.0.0.1:%d
              - name: refused-flood
                public: true
                match: { path: /flood/** }
                upstream: http://127.0.0.1:%1$d
              - name: garbage
                public: true
                match: { path: /garbage/** }
                upstream: http://127.0.0.1:%d
              - name: reset
                public: true
                match: { path: /reset/** }
                upstream: http://127.0.0.1:%d
              - name: hang
                public: true
                match: { path: /hang/** }
                upstream: http://127.0.0.1:%d
                limits: { timeout: 500ms }
              - name: half
                public: true
                match: { path: /half/** }
                upstream: http://127.0.0.1:%d
                limits: { timeout: 500ms }
              - name: nginx-like
                public: true
                match: { path: /nginx/** }
                upstream: http://127.0.0.1:%d
            """
                .formatted(
                    closedPort,
                    garbage.port(),
                    reset.port(),
                    hang.port(),
                    half.port(),
                    nginxLike.port()),
            0);
  }

  @AfterAll
  static void stop() throws IOException {
    gw.close();
    garbage.close();
    reset.close();
    hang.close();
    half.close();
    nginxLike.close();
  }

  @Test
  void capitalisedAndConnectionHeadersFromUpstreamAreSafeOverHttp2() throws Exception {
    HttpResponse<String> r = gw.get("/nginx/x");
    assertThat(r.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"ok\":true}");
    assertThat(r.headers().map())
        .doesNotContainKeys("connection", "keep-alive", "server", "x-powered-by");
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
  }

  private static void assertJsonError(HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).isEqualTo(status);
    String id = r.headers().firstValue("x-request-id").orElseThrow();
    assertThat(r.body())
        .isEqualTo(
            "{\"error\":\""
                + (status == 504 ? "gateway timeout" : "bad gateway")
                + "\",\"status\":"
                + status
                + ",\"requestId\":\""
                + id
                + "\"}");
    assertThat(r.headers().firstValue("strict-transport-security")).isPresent();
  }

  @Test
  void refusingUpstreamGets502() throws Exception {
    assertJsonError(gw.get("/refused/x"), 502);
    gw.awaitLine("\"route\":\"refused\"", "\"status\":502");
  }

  @Test
  void anOutageWritesOneSecurityEventPerSecondWithTheCountHeldBack() throws Exception {
    int requests = 20;
    for (int i = 0; i < requests; i++) {
      assertJsonError(gw.get("/flood/" + i), 502);
    }
    Thread.sleep(1100);
    assertJsonError(gw.get("/flood/last"), 502);
    gw.awaitLine("upstream-failure", "refused-flood", "suppressed");
    // A run's held-back count is handed on by the next event or by the once-a-second flush,
    // whichever comes first: wait until every request is accounted for (or the deadline).
    long logged = 0;
    long held = 0;
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      logged = 0;
      held = 0;
      for (String l : gw.lines()) {
        if (l.contains("\"event\":\"upstream-failure\"") && l.contains("\"refused-flood\"")) {
          logged++;
          java.util.regex.Matcher m =
              java.util.regex.Pattern.compile("\"suppressed\":(\\d+)[,}]").matcher(l);
          if (m.find()) {
            held += Long.parseLong(m.group(1));
          }
        }
      }
      if (logged + held >= requests + 1 || System.nanoTime() > deadline) {
        break;
      }
      Thread.sleep(50);
    }
    assertThat(logged).isLessThan(requests / 2); // 20 requests take well under a second or two
    assertThat(logged + held).isEqualTo(requests + 1); // each one either written or counted
  }

  @Test
  void garbageUpstreamGets502() throws Exception {
    assertJsonError(gw.get("/garbage/x"), 502);
  }

  @Test
  void resettingUpstreamGets502() throws Exception {
    assertJsonError(gw.get("/reset/x"), 502);
  }

  @Test
  void hangingUpstreamGets504AfterTheRouteTimeout() throws Exception {
    long start = System.nanoTime();
    assertJsonError(gw.get("/hang/x"), 504);
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5000);
  }

  @Test
  void upstreamDyingMidBodyBreaksTheResponseInsteadOfEndingIt() throws Exception {
    String res = gw.raw("GET /half/x HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertThat(res).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: 1000");
    assertThat(res.substring(res.indexOf("\r\n\r\n") + 4)).hasSizeLessThan(1000);
  }

  @Test
  void upstreamFailuresAreCountedInMetrics() throws Exception {
    gw.get("/refused/y");
    String expected = "bulwark_upstream_errors_total{kind=\"connect\",route=\"refused\"}";
    long deadline = System.nanoTime() + 2_000_000_000L;
    while (!gw.gateway().metrics().scrape().contains(expected) && System.nanoTime() < deadline) {
      Thread.sleep(20); // the exchange is counted just after its response is written
    }
    assertThat(gw.gateway().metrics().scrape()).contains(expected);
  }
}
