package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The demo's protected routes work with the tokens the demo prints and `bulwark token` mints. */
class DemoAuthTest {
  private static @org.jspecify.annotations.Nullable Path dir;

  static synchronized Path issuerKey() throws Exception {
    Path d = dir;
    if (d == null) {
      d = Files.createTempDirectory("bulwark-demo-issuer");
      DemoIssuer.generate(d);
      dir = d;
    }
    return d.resolve(DemoIssuer.PUBLIC_FILE);
  }

  /** Returns the demo's contract, written once beside the issuer key. */
  static synchronized Path contract() throws Exception {
    issuerKey();
    Path d = java.util.Objects.requireNonNull(dir);
    if (!Files.exists(d.resolve(DemoConfig.SIGNING_KEY_FILE))) {
      DemoConfig.writeSigningKey(d);
    }
    return DemoConfig.writeContract(d);
  }

  @Test
  void demoAdminAndOrganisationRoutesNeedTheRightToken() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer upstream =
          DemoUpstream.start(vertx, 0)
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      Path key = issuerKey();
      String yaml =
          DemoConfig.yaml(
              TestGateway.certificate().certFile(),
              TestGateway.certificate().keyFile(),
              0,
              0,
              0,
              upstream.actualPort(),
              key,
              contract());
      try (TestGateway gw = TestGateway.startYaml(yaml)) {
        DemoIssuer issuer = DemoIssuer.load(key.resolveSibling(DemoIssuer.PRIVATE_FILE));
        String admin =
            issuer.mint("demo-admin", List.of("admin"), List.of("acme"), Duration.ofHours(1));
        assertThat(call(gw, "/api/admin/stats", null).statusCode()).isEqualTo(401);
        HttpResponse<String> ok = call(gw, "/api/admin/stats", admin);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("\"subject\":\"demo-admin\"");
        assertThat(call(gw, "/api/orgs/acme/orders", admin).statusCode()).isEqualTo(200);
        assertThat(call(gw, "/api/orgs/globex/orders", admin).statusCode()).isEqualTo(403);
        assertThat(call(gw, "/api/hello", null).statusCode()).isEqualTo(200);
        // `bulwark token` mints with the demo's private key
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int exit;
        try {
          exit =
              new CommandLine(new dev.bulwark.cli.Main())
                  .execute(
                      "token",
                      "--key",
                      key.resolveSibling(DemoIssuer.PRIVATE_FILE).toString(),
                      "--role",
                      "user",
                      "--org",
                      "globex");
        } finally {
          System.setOut(old);
        }
        assertThat(exit).isZero();
        String minted = out.toString(StandardCharsets.UTF_8).trim();
        assertThat(call(gw, "/api/orgs/globex/x", minted).statusCode()).isEqualTo(200);
        assertThat(call(gw, "/api/admin/stats", minted).statusCode()).isEqualTo(403);
      }
    } finally {
      vertx.close();
    }
  }

  private static HttpResponse<String> call(
      TestGateway gw, String path, @org.jspecify.annotations.Nullable String token)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.url(path)));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return gw.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void demoEchoHasAContractThatRefusesMalformedBodiesWithAClear400() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
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
              issuerKey(),
              contract());
      try (TestGateway gw = TestGateway.startYaml(yaml)) {
        HttpResponse<String> ok = post(gw, "{\"hi\":1}");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("\"hi\":1");
        HttpResponse<String> wrong = post(gw, "{\"hi\":\"x\",\"admin\":true}");
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(wrong.body())
            .contains("\"violations\"", "\"location\":\"body\"", "\"pointer\":\"/hi\"")
            .contains("\"requestId\"");
        HttpResponse<String> malformed = post(gw, "{\"hi\":");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("\"error\":\"bad request\"");
        // The rest of the demo API is unchanged by the echo route's contract.
        assertThat(gw.get("/api/hello").statusCode()).isEqualTo(200);
      }
    } finally {
      vertx.close();
    }
  }

  private static HttpResponse<String> post(TestGateway gw, String body) throws Exception {
    return gw.client()
        .send(
            HttpRequest.newBuilder(URI.create(gw.url("/api/echo")))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
