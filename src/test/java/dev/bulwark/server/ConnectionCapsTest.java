package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** Connection caps: a client over its cap is closed at accept; closing one frees a place. */
class ConnectionCapsTest {

  private static boolean served(SSLSocket s) {
    try {
      s.startHandshake();
      s.getOutputStream()
          .write("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      byte[] head = new byte[12];
      int n = in.readNBytes(head, 0, head.length);
      return n == 12 && new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void aClientOverItsConnectionCapIsClosedAndAClosedConnectionFreesItsPlace() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                """
                connections: { per-client: 2, total: 100 }
                routes:
                  - name: api
                    match: { path: /** }
                    upstream: UPSTREAM
                    public: true
                """,
                upstream.port())) {
      SSLSocket a = gw.rawSocket();
      SSLSocket b = gw.rawSocket();
      assertThat(served(a)).isTrue();
      assertThat(served(b)).isTrue();
      try (SSLSocket c = gw.rawSocket()) {
        assertThat(served(c)).as("third connection from the same client").isFalse();
      }
      assertThat(gw.gateway().metrics().scrape())
          .contains("bulwark_connections_refused_total{cap=\"per-client\"} 1.0");
      a.close();
      boolean again = false;
      for (int i = 0; i < 50 && !again; i++) {
        Thread.sleep(50);
        try (SSLSocket d = gw.rawSocket()) {
          again = served(d);
        }
      }
      assertThat(again).as("a place freed by closing a connection").isTrue();
      b.close();
    }
  }

  @Test
  void theTotalCapHoldsForEveryClient() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                """
                connections: { per-client: 1, total: 1 }
                routes:
                  - name: api
                    match: { path: /** }
                    upstream: UPSTREAM
                    public: true
                """,
                upstream.port())) {
      try (SSLSocket a = gw.rawSocket();
          SSLSocket b = gw.rawSocket()) {
        assertThat(served(a)).isTrue();
        assertThat(served(b)).isFalse();
      }
    }
  }
}
