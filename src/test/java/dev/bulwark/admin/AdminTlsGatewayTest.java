package dev.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A real gateway whose admin listener speaks TLS ({@code admin.tls: same}): metrics, the API and
 * the dashboard answer a TLS client trusting the gateway's certificate, the session cookie is
 * {@code __Host-} and {@code Secure}, and a plain-HTTP request gets no answer.
 */
class AdminTlsGatewayTest {
  private static final String TOKEN = "gateway-admin-token-0123456789abcdefghij";

  private static final String BODY =
      """
      admin: { token: "${env:BULWARK_ADMIN_TOKEN}", tls: same }
      routes:
        - { name: api, match: { path: /** }, upstream: UPSTREAM, public: true }
      """;

  private static HttpResponse<String> admin(
      TestGateway gw, String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(origin(gw) + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body.isEmpty()
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return gw.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String origin(TestGateway gw) {
    return "https://localhost:" + gw.gateway().adminPort();
  }

  @Test
  void metricsTheApiAndTheDashboardAnswerOverTlsWithASecureHostCookie() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(BODY, upstream.port(), Map.of("BULWARK_ADMIN_TOKEN", TOKEN))) {
      assertThat(admin(gw, "GET", "/healthz", "").statusCode()).isEqualTo(200);
      HttpResponse<String> metrics =
          admin(gw, "GET", "/metrics", "", "authorization", "Bearer " + TOKEN);
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("bulwark_");
      assertThat(admin(gw, "GET", "/bans", "", "authorization", "Bearer " + TOKEN).statusCode())
          .isEqualTo(200);
      assertThat(admin(gw, "GET", "/metrics", "", "authorization", "Bearer nope").statusCode())
          .isEqualTo(401);

      HttpResponse<String> signIn =
          admin(
              gw,
              "POST",
              "/dashboard/sign-in",
              "token=" + URLEncoder.encode(TOKEN, StandardCharsets.UTF_8),
              "content-type",
              "application/x-www-form-urlencoded",
              "origin",
              origin(gw));
      assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(303);
      String cookie = signIn.headers().firstValue("set-cookie").orElseThrow();
      assertThat(cookie)
          .startsWith("__Host-bulwark-dashboard=")
          .contains("; Path=/", "; HttpOnly", "; SameSite=Strict", "; Secure")
          .doesNotContain("Domain");
      HttpResponse<String> page =
          admin(gw, "GET", "/dashboard", "", "cookie", cookie.substring(0, cookie.indexOf(';')));
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("name=\"csrf\"");
    }
  }

  @Test
  void aPlainHttpRequestToTheTlsAdminListenerIsNeverAnswered() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(BODY, upstream.port(), Map.of("BULWARK_ADMIN_TOKEN", TOKEN))) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gw.gateway().adminPort())) {
        s.setSoTimeout(3000);
        s.getOutputStream()
            .write(
                ("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                        + TOKEN
                        + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        String answer = TestGateway.readAll(s);
        assertThat(answer).doesNotContain("HTTP/1.1 200").doesNotContain("bulwark_");
      }
      HttpResponse<String> plain;
      try {
        plain =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + gw.gateway().adminPort() + "/healthz"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
      } catch (java.io.IOException expected) {
        plain = null;
      }
      assertThat(plain).isNull();
      // The gateway still answers over TLS afterwards.
      assertThat(admin(gw, "GET", "/healthz", "").statusCode()).isEqualTo(200);
    }
  }
}
