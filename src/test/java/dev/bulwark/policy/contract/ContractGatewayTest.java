package dev.bulwark.policy.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The contract policy through the real gateway: every bad input of issue 4 gets its answer. */
class ContractGatewayTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ITEM_WITH_SECRET = "{\"name\":\"a\",\"qty\":1,\"secret\":\"s3cr3t\"}";

  private static StubUpstream upstream;
  private static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("contract");
    Path contract = dir.resolve("items.openapi.yaml");
    try (InputStream in =
        ContractGatewayTest.class.getResourceAsStream("/contract/items.openapi.yaml")) {
      Files.write(contract, in.readAllBytes());
    }
    upstream = new StubUpstream();
    for (String p : new String[] {"/api/items/1", "/b/items/1"}) {
      upstream.on(
          p, r -> r.response().putHeader("content-type", "application/json").end(ITEM_WITH_SECRET));
    }
    upstream.on(
        "/b/items/2",
        r -> r.response().putHeader("content-type", "application/json").end("{\"name\":\"a\"}"));
    gw =
        TestGateway.start(
            """
            routes:
              - name: api
                match: { path: /api/** }
                upstream: UPSTREAM
                public: true
                contract: { file: CONTRACT, response: strip }
              - name: blocked
                match: { path: /b/** }
                upstream: UPSTREAM
                public: true
                contract: { file: CONTRACT, base-path: /b, response: block }
              - name: big
                match: { path: /big/** }
                upstream: UPSTREAM
                public: true
                limits: { body: 16MiB }
                contract: { file: CONTRACT, base-path: /big }
            """
                .replace("CONTRACT", contract.toString()),
            upstream.port());
  }

  @AfterAll
  static void stop() {
    gw.close();
    upstream.close();
  }

  private static HttpResponse<String> send(
      String method, String path, @Nullable String type, byte[] body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(gw.url(path)))
            .timeout(Duration.ofSeconds(20))
            .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    if (type != null) {
      b.header("content-type", type);
    }
    return gw.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return send("POST", path, "application/json", body.getBytes(StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> getWithTenant(String path) throws Exception {
    return gw.client()
        .send(
            HttpRequest.newBuilder(URI.create(gw.url(path)))
                .header("x-tenant", "t1")
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  /** Asserts a 400 with a violations list and nothing forwarded; returns the first violation. */
  private static JsonNode refused(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("error").asText()).isEqualTo("bad request");
    assertThat(body.get("status").asInt()).isEqualTo(400);
    assertThat(body.get("requestId").asText()).isNotEmpty();
    assertThat(body.get("violations").isArray()).isTrue();
    assertThat(upstream.poll(100)).isNull();
    JsonNode v = body.get("violations").get(0);
    assertThat(v.fieldNames()).toIterable().containsExactly("location", "pointer", "reason");
    return v;
  }

  @Test
  void aValidBodyReachesTheUpstreamByteForByteWithItsLength() throws Exception {
    String item = "{ \"name\": \"bolt\", \"qty\": 3 }";
    HttpResponse<String> r = post("/big/items", item);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    StubUpstream.Received got = upstream.next();
    assertThat(got.body().toString(StandardCharsets.UTF_8)).isEqualTo(item);
    assertThat(got.headers().get("content-length")).isEqualTo(String.valueOf(item.length()));
    assertThat(got.headers().get("transfer-encoding")).isNull();
  }

  @Test
  void schemaViolationsAreListedWithPointersAndWithoutEchoingInput() throws Exception {
    String marker = "ZZZ" + "q".repeat(60);
    HttpResponse<String> r =
        post("/api/items", "{\"name\":\"" + marker + "\",\"qty\":-1,\"color\":\"red\"}");
    refused(r);
    JsonNode vs = JSON.readTree(r.body()).get("violations");
    assertThat(vs.toString())
        .contains("\"pointer\":\"/name\"", "longer than maxLength 50")
        .contains("\"pointer\":\"/qty\"", "below minimum 0")
        .contains("\"pointer\":\"/color\"", "property not declared")
        .doesNotContain(marker);
    gw.awaitLine("\"decision\":\"deny\"", "contract:");
  }

  @Test
  void undeclaredPathIs404AndUndeclaredMethodIs405WithAllow() throws Exception {
    assertThat(getWithTenant("/api/nothing").statusCode()).isEqualTo(404);
    HttpResponse<String> r = send("DELETE", "/api/items", null, new byte[0]);
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("allow")).hasValue("GET, POST");
    assertThat(upstream.poll(100)).isNull();
  }

  @Test
  void pathTricksNeverReachAnUndeclaredBackendPath() throws Exception {
    for (String p :
        new String[] {
          "/api/items/../admin",
          "/api/items/%2e%2e/admin",
          "/api//items",
          "/api/items/1%2F2",
          "/api/items;jsessionid=x",
          "/api/items/1;x=1",
          "/api/items/",
          "/api/ITEMS"
        }) {
      HttpResponse<String> r = getWithTenant(p);
      assertThat(r.statusCode()).as(p).isIn(400, 404);
    }
    assertThat(upstream.poll(100)).isNull();
  }

  @Test
  void parametersAreChecked() throws Exception {
    JsonNode v = refused(getWithTenant("/api/items?debug=1"));
    assertThat(v.get("location").asText()).isEqualTo("query");
    assertThat(v.get("pointer").asText()).isEqualTo("debug");
    assertThat(v.get("reason").asText()).isEqualTo("query parameter not declared");

    v = refused(gw.get("/api/items"));
    assertThat(v.get("location").asText()).isEqualTo("header");
    assertThat(v.get("reason").asText()).isEqualTo("required parameter missing");

    v = refused(getWithTenant("/api/items?tag=ABC"));
    assertThat(v.get("reason").asText()).isEqualTo("does not match the pattern");

    v = refused(getWithTenant("/api/items?limit=abc"));
    assertThat(v.get("reason").asText()).isEqualTo("expected integer");
    refused(getWithTenant("/api/items?limit=101"));
    refused(getWithTenant("/api/items?limit=1&limit=2"));

    v = refused(getWithTenant("/api/items/0"));
    assertThat(v.get("location").asText()).isEqualTo("path");
    assertThat(v.get("pointer").asText()).isEqualTo("id");
  }

  @Test
  void catastrophicBacktrackingPatternAnswersAtOnce() throws Exception {
    long start = System.nanoTime();
    JsonNode v = refused(gw.get("/api/redos?q=" + "a".repeat(50) + "!"));
    assertThat(v.get("reason").asText()).isEqualTo("does not match the pattern");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void deeplyNestedJsonIsRefused() throws Exception {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    JsonNode v = refused(post("/api/items", deep));
    assertThat(v.get("location").asText()).isEqualTo("body");
    assertThat(v.get("reason").asText()).contains("limit");
  }

  @Test
  void aTenMegabyteStringIsRefused() throws Exception {
    String body = "{\"name\":\"" + "x".repeat(10 << 20) + "\"}";
    refused(post("/big/items", body));
  }

  @Test
  void hugeAndLongNumbersAreRefused() throws Exception {
    refused(post("/api/items", "{\"name\":\"a\",\"qty\":1e400}"));
    refused(post("/api/items", "{\"name\":\"a\",\"qty\":" + "9".repeat(600) + "}"));
  }

  @Test
  void duplicateAndPrototypeKeysAreRefused() throws Exception {
    assertThat(
            refused(post("/api/items", "{\"name\":\"a\",\"name\":\"b\"}")).get("reason").asText())
        .isEqualTo("duplicate key");
    assertThat(
            refused(post("/api/items", "{\"name\":\"a\",\"__proto__\":{\"admin\":true}}"))
                .get("reason")
                .asText())
        .contains("forbidden key");
    refused(post("/api/items", "{\"name\":\"a\",\"constructor\":{}}"));
  }

  @Test
  void badEncodingsAreRefused() throws Exception {
    byte[] overlong = {
      '{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'
    };
    assertThat(
            refused(send("POST", "/api/items", "application/json", overlong))
                .get("reason")
                .asText())
        .isEqualTo("invalid UTF-8");
    assertThat(refused(post("/api/items", "{\"name\":\"\\ud800\"}")).get("reason").asText())
        .isEqualTo("lone surrogate in a string");
    byte[] utf16 = "\uFEFF{\"name\":\"a\"}".getBytes(StandardCharsets.UTF_16BE);
    refused(send("POST", "/api/items", "application/json", utf16));
    byte[] bom = "\uFEFF{\"name\":\"a\"}".getBytes(StandardCharsets.UTF_8);
    refused(send("POST", "/api/items", "application/json", bom));
  }

  @Test
  void undeclaredContentTypesAre415() throws Exception {
    byte[] item = "{\"name\":\"a\"}".getBytes(StandardCharsets.UTF_8);
    for (String type :
        new String[] {
          "text/plain",
          "application/json; charset=utf-7",
          "multipart/form-data; boundary=x",
          "application/x-www-form-urlencoded"
        }) {
      HttpResponse<String> r = send("POST", "/api/items", type, item);
      assertThat(r.statusCode()).as(type).isEqualTo(415);
      assertThat(r.body()).contains("\"error\":\"unsupported media type\"");
    }
    assertThat(send("POST", "/api/items", null, item).statusCode()).isEqualTo(415);
    assertThat(send("POST", "/api/items", "Application/JSON; charset=\"UTF-8\"", item).statusCode())
        .isEqualTo(200);
    upstream.next();
    // A body where the operation declares none.
    assertThat(send("PUT", "/api/items", "application/json", item).statusCode()).isEqualTo(405);
    assertThat(upstream.poll(100)).isNull();
  }

  @Test
  void aMissingRequiredBodyIsRefused() throws Exception {
    JsonNode v = refused(send("POST", "/api/items", "application/json", new byte[0]));
    assertThat(v.get("reason").asText()).isEqualTo("request body required");
  }

  @Test
  void fiftyMegabytesOnAOneMebibyteRouteAreRefusedWhileStreaming() throws Exception {
    try (SSLSocket s = gw.rawSocket()) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /api/items HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                  + "Transfer-Encoding: chunked\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      Thread writer =
          new Thread(
              () -> {
                byte[] chunk =
                    ("10000\r\n" + "a".repeat(0x10000) + "\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1);
                try {
                  for (int i = 0; i < 800; i++) { // 800 x 64KiB = 50MiB
                    out.write(chunk);
                  }
                } catch (java.io.IOException e) {
                  // the gateway closed the connection: expected
                }
              });
      writer.start();
      String response = TestGateway.readAll(s);
      writer.join(10_000);
      assertThat(response).startsWith("HTTP/1.1 413");
    }
    gw.awaitLine("\"status\":413");
    assertThat(upstream.poll(100)).isNull();
  }

  @Test
  void aClientThatLeavesMidBodyLeavesNothingBehind() throws Exception {
    try (SSLSocket s = gw.rawSocket()) {
      s.getOutputStream()
          .write(
              ("POST /api/items HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                      + "Content-Length: 1000\r\n\r\n{\"name\":")
                  .getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      Thread.sleep(200);
    }
    gw.awaitLine("\"status\":499");
    assertThat(upstream.poll(200)).isNull();
    assertThat(post("/big/items", "{\"name\":\"a\"}").statusCode()).isEqualTo(200);
    upstream.next();
  }

  @Test
  void undeclaredResponseFieldsAreStripped() throws Exception {
    HttpResponse<String> r = getWithTenant("/api/items/1");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(r.body())).isEqualTo(JSON.readTree("{\"name\":\"a\",\"qty\":1}"));
    assertThat(r.headers().firstValue("content-length"))
        .hasValue(String.valueOf(r.body().length()));
    upstream.next();
  }

  @Test
  void aResponseOffTheContractIsBlockedAndLogged() throws Exception {
    HttpResponse<String> r = getWithTenant("/b/items/1");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("\"error\":\"bad gateway\"").doesNotContain("s3cr3t");
    upstream.next();
    gw.awaitLine("response-blocked", "property not declared");
    HttpResponse<String> ok = getWithTenant("/b/items/2");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("{\"name\":\"a\"}");
    upstream.next();
  }
}
