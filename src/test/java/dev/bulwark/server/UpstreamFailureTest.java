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
  static int closedPort;
  static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    garbage = new RawUpstream("garbage");
    reset = new RawUpstream("reset");
    hang = new RawUpstream("hang");
    half = new RawUpstream("half");
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    gw =
        TestGateway.start(
            """
            routes:
              - name: refused
                match: { path: /refused/** }
                upstream: http://127.0.0.1:%d
              - name: garbage
                match: { path: /garbage/** }
                upstream: http://127.0.0.1:%d
              - name: reset
                match: { path: /reset/** }
                upstream: http://127.0.0.1:%d
              - name: hang
                match: { path: /hang/** }
                upstream: http://127.0.0.1:%d
                limits: { timeout: 500ms }
              - name: half
                match: { path: /half/** }
                upstream: http://127.0.0.1:%d
                limits: { timeout: 500ms }
            """
                .formatted(closedPort, garbage.port(), reset.port(), hang.port(), half.port()),
            0);
  }

  @AfterAll
  static void stop() throws IOException {
    gw.close();
    garbage.close();
    reset.close();
    hang.close();
    half.close();
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
