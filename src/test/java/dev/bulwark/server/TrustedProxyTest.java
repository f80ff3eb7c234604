package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Forwarding headers from a trusted proxy are honoured and extended, and its request id kept. */
class TrustedProxyTest {
  @Test
  void trustedProxyChainIsExtendedAndItsRequestIdKept() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                """
                trusted-proxies: [127.0.0.0/8]
                routes:
                  - name: api
                    public: true
                    match: { path: /** }
                    upstream: UPSTREAM
                """,
                upstream.port())) {
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(gw.url("/x")))
              .header("X-Forwarded-For", "198.51.100.7")
              .header("X-Forwarded-Proto", "https")
              .header("X-Request-Id", "lb-1234")
              .build();
      HttpResponse<String> r = gw.client().send(req, HttpResponse.BodyHandlers.ofString());
      assertThat(r.headers().firstValue("x-request-id")).hasValue("lb-1234");
      StubUpstream.Received seen = upstream.next();
      assertThat(seen.headers().get("x-forwarded-for")).isEqualTo("198.51.100.7, 127.0.0.1");
      assertThat(seen.headers().get("x-request-id")).isEqualTo("lb-1234");
      gw.awaitLine("\"requestId\":\"lb-1234\"", "\"client\":\"198.51.100.7\"");
      HttpRequest bad =
          HttpRequest.newBuilder(URI.create(gw.url("/y")))
              .header("X-Request-Id", "has spaces and \"quotes\"")
              .build();
      assertThat(
              gw.client()
                  .send(bad, HttpResponse.BodyHandlers.ofString())
                  .headers()
                  .firstValue("x-request-id"))
          .get()
          .asString()
          .matches("[0-9a-v]{20}");
      upstream.next();
    }
  }
}
