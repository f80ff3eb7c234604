package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.LogCapture;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * A forwarding header from a peer outside {@code trusted-proxies} is warned about when the gate
 * resolves the client, so a spoofed address on a request that is refused (no route, a method the
 * route does not allow) is seen too, not only on forwarded ones; still one line per interval.
 */
class UntrustedForwardingRefusedTest {
  private static final String LOGGER = "dev.bulwark.proxy.UntrustedForwardingWarning";
  private static final String CONFIG =
      """
      routes:
        - name: only-get
          public: true
          match: { path: /only-get, methods: [GET] }
          upstream: UPSTREAM
      """;

  @Test
  void aSpoofedAddressOnARequestWithNoRouteIsWarnedAboutOnHttp1() throws Exception {
    try (LogCapture log = LogCapture.of(LOGGER);
        StubUpstream upstream = new StubUpstream();
        TestGateway gw = TestGateway.start(CONFIG, upstream.port())) {
      String head =
          String.join(
              "\r\n",
              "GET /nowhere HTTP/1.1",
              "Host: localhost",
              "X-Forwarded-For: 198.51.100.7",
              "Connection: close");
      String res = gw.raw(head + "\r\n\r\n");
      assertThat(res).startsWith("HTTP/1.1 404");
      assertThat(log.lines()).hasSize(1);
      assertThat(log.lines().get(0))
          .contains("requests from 127.0.0.1 carry X-Forwarded-For", "trusted-proxies");
    }
  }

  @Test
  void aSpoofedAddressOnARefusedMethodIsWarnedAboutOnHttp2OncePerInterval() throws Exception {
    try (LogCapture log = LogCapture.of(LOGGER);
        StubUpstream upstream = new StubUpstream();
        TestGateway gw = TestGateway.start(CONFIG, upstream.port())) {
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> r =
            gw.client()
                .send(
                    HttpRequest.newBuilder(URI.create(gw.url("/only-get")))
                        .header("Forwarded", "for=198.51.100.8")
                        .DELETE()
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(405);
      }
      assertThat(log.lines()).hasSize(1);
      assertThat(log.lines().get(0)).contains("requests from 127.0.0.1 carry Forwarded");
    }
  }

  @Test
  void noForwardingHeaderNoWarning() throws Exception {
    try (LogCapture log = LogCapture.of(LOGGER);
        StubUpstream upstream = new StubUpstream();
        TestGateway gw = TestGateway.start(CONFIG, upstream.port())) {
      assertThat(gw.get("/nowhere").statusCode()).isEqualTo(404);
      assertThat(log.lines()).isEmpty();
    }
  }
}
