package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Failed TLS handshakes are counted by reason ({@code bulwark_tls_handshake_failures_total}), with
 * both engines: plain HTTP on the HTTPS port, a TLS 1.1 client, a client with only CBC suites, a
 * client that does not trust the certificate; a health check that connects and closes is not a
 * failed handshake.
 */
class TlsHandshakeFailuresTest {
  private static final String ROUTE =
      "routes:\n  - name: api\n    match: { path: /** }\n    upstream: UPSTREAM\n    public: true\n";

  @ParameterizedTest
  @ValueSource(strings = {"openssl", "jdk"})
  void eachFailedHandshakeIsCountedUnderItsReason(String engine) throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = TestGateway.startWithTls(engine, ROUTE, upstream.port())) {
      int port = gw.httpsPort();
      assertThat(count(gw, "not-tls")).isZero();
      // A TCP health check that connects and closes without a ClientHello is no handshake.
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.getOutputStream().flush();
      }
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.setSoTimeout(5000);
        OutputStream out = s.getOutputStream();
        out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        TestGateway.readAll(s);
      }
      awaitCount(gw, "not-tls", 1);

      sClient(port, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
      awaitCount(gw, "protocol", 1);

      sClient(port, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA");
      awaitCount(gw, "cipher", 1);

      // The test certificate is self-signed: a verifying client aborts with an alert (TLS 1.2
      // from OpenSSL's client, TLS 1.3 from the JDK's, whose alert comes encrypted).
      sClient(port, "-tls1_2", "-verify_return_error", "-servername", "localhost");
      awaitCount(gw, "certificate-rejected", 1);
      try (SSLSocket s =
          (SSLSocket) SSLContext.getDefault().getSocketFactory().createSocket("localhost", port)) {
        s.setEnabledProtocols(new String[] {"TLSv1.3"});
        assertThatThrownBy(s::startHandshake).isInstanceOf(SSLHandshakeException.class);
      }
      awaitCount(gw, "certificate-rejected", 2);

      assertThat(count(gw, "other")).as("nothing left unclassified").isZero();
      assertThat(count(gw, "not-tls")).as("the bare connect was not counted").isEqualTo(1);
      assertThat(gw.get("/x").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void failuresThatAreNotHandshakesAreNotCounted() {
    assertThat(HandshakeFailure.of(new IOException("Connection reset by peer"))).isNull();
    assertThat(HandshakeFailure.of(new java.nio.channels.ClosedChannelException())).isNull();
    assertThat(HandshakeFailure.of(new SSLException("bad record MAC"))).isNull();
    assertThat(HandshakeFailure.of(new SslHandshakeTimeoutException("timed out after 10000ms")))
        .isEqualTo(HandshakeFailure.TIMEOUT);
    assertThat(
            HandshakeFailure.of(
                new io.netty.handler.codec.DecoderException(
                    new NotSslRecordException("not an SSL/TLS record"))))
        .isEqualTo(HandshakeFailure.NOT_TLS);
    assertThat(HandshakeFailure.of(new SSLHandshakeException("something new")))
        .isEqualTo(HandshakeFailure.OTHER);
  }

  private static String sClient(int port, String... args) throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  private static String all(TestGateway gw) {
    StringBuilder sb = new StringBuilder();
    for (String line : gw.gateway().metrics().scrape().split("\n")) {
      if (line.startsWith("bulwark_tls_handshake_failures_total")) {
        sb.append(line.substring(line.indexOf('"') + 1)).append(' ');
      }
    }
    return sb.toString();
  }

  private static double count(TestGateway gw, String reason) {
    String prefix = "bulwark_tls_handshake_failures_total{reason=\"" + reason + "\"} ";
    for (String line : gw.gateway().metrics().scrape().split("\n")) {
      if (line.startsWith(prefix)) {
        return Double.parseDouble(line.substring(prefix.length()));
      }
    }
    throw new AssertionError("no counter for " + reason);
  }

  private static void awaitCount(TestGateway gw, String reason, double expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (count(gw, reason) < expected && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(count(gw, reason)).as(reason + " " + all(gw)).isEqualTo(expected);
  }
}
