package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * The route timeout bounds the wait for the upstream's response head (counted from the end of the
 * request) and every silence while its body streams; a slow upload is the body timeout's business.
 */
class UpstreamTimeoutTest {

  @Test
  void upstreamStallingMidBodyIsCutOffAfterTheTimeout() throws Exception {
    try (UpstreamFailureTest.RawUpstream stall =
            new UpstreamFailureTest.RawUpstream("stall-mid-body");
        TestGateway gw =
            TestGateway.start(
                """
                routes:
                  - name: stall
                    public: true
                    match: { path: /** }
                    upstream: http://127.0.0.1:%d
                    limits: { timeout: 500ms }
                """
                    .formatted(stall.port()),
                0)) {
      long start = System.nanoTime();
      String res = gw.raw("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n");
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(res).startsWith("HTTP/1.1 200").endsWith("first");
      assertThat(ms)
          .as("cut off by the 500ms timeout, not the upstream's 5s stall")
          .isLessThan(2500);
      gw.awaitLine("\"route\":\"stall\"");
    }
  }

  @Test
  void slowUploadWithinTheBodyTimeoutIsNotAnUpstreamTimeout() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                """
                routes:
                  - name: upload
                    public: true
                    match: { path: /** }
                    upstream: UPSTREAM
                    limits: { timeout: 300ms, body-timeout: 10s }
                """,
                upstream.port())) {
      try (SSLSocket s = gw.rawSocket()) {
        OutputStream out = s.getOutputStream();
        out.write(
            "POST /up HTTP/1.1\r\nHost: localhost\r\nContent-Length: 9\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        for (String part : new String[] {"abc", "def", "ghi"}) {
          out.write(part.getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          Thread.sleep(500);
        }
        assertThat(TestGateway.readAll(s)).startsWith("HTTP/1.1 200");
      }
      assertThat(upstream.next().body().toString()).isEqualTo("abcdefghi");
    }
  }
}
