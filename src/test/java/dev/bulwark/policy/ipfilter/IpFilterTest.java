package dev.bulwark.policy.ipfilter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The ip-filter through the real gateway: deny wins, allow lists close, trusted proxies count. */
class IpFilterTest {

  @Test
  void clientOffTheAllowListGets403AndNothingIsForwarded() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                """
                defaults:
                  ip-filter: { allow: [10.0.0.0/8] }
                routes:
                  - name: office
                    public: true
                    match: { path: /office/** }
                    upstream: UPSTREAM
                  - name: open
                    public: true
                    match: { path: /open/** }
                    upstream: UPSTREAM
                    ip-filter: off
                """,
                upstream.port())) {
      HttpResponse<String> r = gw.get("/office/x");
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.body()).contains("\"error\":\"forbidden\"").doesNotContain("allow list");
      assertThat(r.headers().firstValue("strict-transport-security")).isPresent();
      gw.awaitLine("\"status\":403", "not on the ip-filter allow list", "\"decision\":\"deny\"");
      assertThat(upstream.poll(200)).isNull();
      assertThat(gw.get("/open/x").statusCode()).isEqualTo(200);
      upstream.next();
    }
  }

  @Test
  void denyListWinsAndAppliesToTheAddressBehindATrustedProxy() throws Exception {
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
                    ip-filter: { allow: [0.0.0.0/0, "::/0"], deny: [198.51.100.0/24, "2001:db8::/32"] }
                """,
                upstream.port())) {
      for (String banned : new String[] {"198.51.100.7", "::ffff:198.51.100.9", "2001:db8::1"}) {
        HttpRequest req =
            HttpRequest.newBuilder(URI.create(gw.url("/x")))
                .header("X-Forwarded-For", banned)
                .build();
        assertThat(gw.client().send(req, HttpResponse.BodyHandlers.ofString()).statusCode())
            .as(banned)
            .isEqualTo(403);
      }
      HttpRequest ok =
          HttpRequest.newBuilder(URI.create(gw.url("/x")))
              .header("X-Forwarded-For", "203.0.113.5")
              .build();
      assertThat(gw.client().send(ok, HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(200);
      upstream.next();
      assertThat(upstream.poll(200)).isNull();
    }
  }
}
