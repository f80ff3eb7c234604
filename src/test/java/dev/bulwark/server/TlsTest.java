package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the HTTPS listener offers, checked with OpenSSL's client (which can still offer TLS 1.0/1.1
 * and CBC suites): only TLS 1.2/1.3, only forward-secret AEAD suites, ALPN h2, with either engine.
 */
class TlsTest {

  private static String sClient(int port, String... args) throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "openssl", "s_client", "-connect", "127.0.0.1:" + port, "-alpn", "h2,http/1.1"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"openssl", "jdk"})
  void onlyModernProtocolsAndAeadSuitesAreOffered(String engine) throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.startWithTls(
                engine,
                "routes:\n  - name: api\n    match: { path: /** }\n    upstream: UPSTREAM\n    public: true\n",
                upstream.port())) {
      int port = gw.httpsPort();
      String tls13 = sClient(port, "-tls1_3");
      assertThat(tls13).contains("New, TLSv1.3, Cipher is TLS_").contains("ALPN protocol: h2");
      String tls12 = sClient(port, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256");
      assertThat(tls12).contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256");
      for (String old : new String[] {"-tls1_1", "-tls1"}) {
        String out = sClient(port, old, "-cipher", "DEFAULT:@SECLEVEL=0");
        assertThat(out).as(old).contains("Cipher is (NONE)");
      }
      for (String weak :
          new String[] {
            "ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA256"
          }) {
        String out = sClient(port, "-tls1_2", "-cipher", weak);
        assertThat(out).as(weak).contains("Cipher is (NONE)");
      }
      assertThat(gw.get("/x").statusCode()).isEqualTo(200);
    }
  }
}
