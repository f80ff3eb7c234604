package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The demo's own layout ({@code /api/admin/**} needs role admin, {@code /api/orgs/{org}/**} needs
 * membership, {@code POST /api/echo} has a contract, {@code /api/**} is public) cannot be bypassed
 * by spelling a protected path so that it falls through to the public route: not with {@code
 * ;parameters}, letter case or another method, on HTTP/1.1 or HTTP/2.
 */
class DemoLayoutBypassTest {
  private static Vertx vertx;
  private static TestGateway gw;

  enum Protocol {
    HTTP_1_1,
    HTTP_2
  }

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    HttpServer upstream =
        DemoUpstream.start(vertx, 0)
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    String yaml =
        DemoConfig.yaml(
            TestGateway.certificate().certFile(),
            TestGateway.certificate().keyFile(),
            0,
            0,
            0,
            upstream.actualPort(),
            DemoAuthTest.issuerKey(),
            DemoAuthTest.contract());
    // The demo's per-client rate limit and ban rule would end this test early.
    yaml =
        yaml.replace("limit: 10, window: 1s, burst: 20", "limit: 1000, window: 1s, burst: 1000")
            .replace("count: 20,", "count: 10000,");
    gw = TestGateway.startYaml(yaml);
  }

  @AfterAll
  static void stop() {
    gw.close();
    vertx.close();
  }

  @ParameterizedTest(name = "{0} {1} on {2}")
  @CsvSource({
    "GET, /api/admin;x=1/stats, 400",
    "GET, /api/admin;/stats, 400",
    "GET, /api/ADMIN/stats, 400",
    "GET, /api/Admin/stats, 400",
    "GET, /API/admin/stats, 400",
    "GET, /api/orgs;/globex/orders, 400",
    "GET, /api/Orgs/globex/orders, 400",
    "GET, /api/orgs/globex;v=1/orders, 400",
    "POST, /api/echo;x=1, 400",
    "PUT, /api/echo, 405",
    "PATCH, /api/echo, 405",
    "GET, /api/echo, 405",
    "GET, /api/admin/stats, 401",
    "GET, /api/orgs/globex/orders, 401",
    "GET, /api/hello, 200",
  })
  void protectedRoutesCannotBeMissedBySpelling(String method, String path, int expected)
      throws Exception {
    for (Protocol p : Protocol.values()) {
      HttpResponse<String> res = send(p, method, path);
      assertThat(res.statusCode()).as(p + " " + method + " " + path).isEqualTo(expected);
      if (expected >= 400) {
        assertThat(res.body()).contains("\"status\":" + expected, "\"requestId\"");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void aMethodRefusedByARouteSaysWhichMethodsItTakes(Protocol p) throws Exception {
    HttpResponse<String> res = send(p, "PUT", "/api/echo");
    assertThat(res.statusCode()).isEqualTo(405);
    assertThat(res.headers().firstValue("allow")).hasValue("POST");
  }

  private static HttpResponse<String> send(Protocol p, String method, String path)
      throws Exception {
    HttpClient client =
        p == Protocol.HTTP_2
            ? gw.client()
            : HttpClient.newBuilder()
                .sslContext(gw.client().sslContext())
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    HttpRequest.BodyPublisher body =
        method.equals("GET")
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString("{\"hi\":1}");
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(gw.url(path)))
            .header("content-type", "application/json")
            .method(method, body)
            .build();
    return client.send(req, HttpResponse.BodyHandlers.ofString());
  }
}
