package dev.bulwark.policy.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.exchange.Denial;
import dev.bulwark.pipeline.TraceLines;
import dev.bulwark.testing.FakeExchange;
import dev.bulwark.testing.FakeExchange.Outcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The request contract against a fake exchange and {@code contract/items.openapi.yaml}: what is not
 * declared is refused before anything is read or forwarded.
 */
class ContractPolicyTest {
  private static final long MAX_BODY = 1024;
  private static ContractPolicy strict;
  private static ContractPolicy checkedResponses;

  @BeforeAll
  static void load() throws Exception {
    Path file =
        Path.of(
            Objects.requireNonNull(
                    ContractPolicyTest.class.getResource("/contract/items.openapi.yaml"))
                .toURI());
    ContractLoader loader = new ContractLoader();
    Contract contract =
        Objects.requireNonNull(loader.load(file, null), () -> loader.errors().toString());
    strict =
        ContractPolicy.compile(
            new ContractConfig(
                true,
                file,
                false,
                ContractConfig.ResponseMode.OFF,
                1 << 20,
                JsonLimits.DEFAULTS,
                contract),
            MAX_BODY);
    checkedResponses =
        ContractPolicy.compile(
            new ContractConfig(
                true,
                file,
                false,
                ContractConfig.ResponseMode.BLOCK,
                1 << 20,
                JsonLimits.DEFAULTS,
                contract),
            MAX_BODY);
  }

  private static FakeExchange post(String contentType, String body) {
    return FakeExchange.request("POST", "/api/items")
        .header("Content-Type", contentType)
        .header("Content-Length", String.valueOf(body.getBytes(StandardCharsets.UTF_8).length))
        .body(body)
        .run(strict);
  }

  private static void refusedWith(FakeExchange fx, int status, String reasonPart) {
    assertThat(fx.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(fx.status()).isEqualTo(status);
    assertThat(fx.exchange().denyReason()).contains(reasonPart);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/nothing", "/api/items/1/extra", "/api", "/items", "/api/ITEMS"})
  void anUndeclaredPathIs404(String path) {
    refusedWith(
        FakeExchange.get(path).header("X-Tenant", "t1").run(strict), 404, "path not declared");
  }

  @Test
  void anUndeclaredMethodIs405WithTheDeclaredOnesInAllow() {
    FakeExchange fx = FakeExchange.request("DELETE", "/api/items").run(strict);
    refusedWith(fx, 405, "method not declared");
    assertThat(fx.responseHeaders().get("allow")).isEqualTo("GET, POST");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "debug=1",
        "limit=abc",
        "limit=0",
        "limit=101",
        "limit=1&limit=2",
        "tag=ABC",
        "tag=abcdefghijkl",
        "tag=%ZZ",
        "tag=a%00b"
      })
  void aQueryTheOperationDoesNotAcceptIs400WithViolations(String query) {
    FakeExchange fx = FakeExchange.get("/api/items?" + query).header("X-Tenant", "t1").run(strict);
    refusedWith(fx, 400, "contract:");
    assertThat(fx.responseBody()).contains("\"violations\":[", "\"location\":\"query\"");
  }

  @Test
  void aMissingRequiredHeaderAndABadPathParameterAreViolations() {
    refusedWith(FakeExchange.get("/api/items").run(strict), 400, "contract:");
    FakeExchange badId = FakeExchange.get("/api/items/0").run(strict);
    refusedWith(badId, 400, "contract:");
    assertThat(badId.responseBody()).contains("\"location\":\"path\"", "\"pointer\":\"id\"");
  }

  @Test
  void aDeclaredRequestWithValidParametersProceeds() {
    FakeExchange fx =
        FakeExchange.get("/api/items?limit=5&tag=abc").header("X-Tenant", "t1").run(strict);
    assertThat(fx.outcome()).isEqualTo(Outcome.PROCEEDED);
  }

  @Test
  void bodyViolationsAreListedWithPointersWithoutEchoingTheInput() {
    String marker = "ZZZ" + "q".repeat(60);
    FakeExchange fx =
        post("application/json", "{\"name\":\"" + marker + "\",\"qty\":-1,\"color\":\"red\"}");
    refusedWith(fx, 400, "contract:");
    assertThat(fx.responseBody())
        .contains("\"pointer\":\"/name\"", "\"pointer\":\"/qty\"", "\"pointer\":\"/color\"")
        .doesNotContain(marker);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"name\":\"a\",\"name\":\"b\"}",
        "{\"name\":\"a\"",
        "[]",
        "\"name\"",
        "{\"name\":\"\\ud800\"}"
      })
  void unsafeOrMalformedJsonIsRefused(String body) {
    refusedWith(post("application/json", body), 400, "contract:");
  }

  @Test
  void deeplyNestedJsonIsRefusedBeforeItsSchemaIsLookedAt() {
    String deep = "{\"name\":\"a\",\"x\":" + "[".repeat(200) + "]".repeat(200) + "}";
    refusedWith(post("application/json", deep), 400, "contract:");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "text/plain",
        "application/xml",
        "application/*",
        "*/*",
        "application/json; charset=latin1",
        "application/jsonx"
      })
  void aBodyOfAnUndeclaredMediaTypeIs415(String type) {
    refusedWith(post(type, "{\"name\":\"a\"}"), 415, "content type not declared");
  }

  @Test
  void twoContentTypeHeadersAre415() {
    FakeExchange fx =
        FakeExchange.request("POST", "/api/items")
            .header("Content-Type", "application/json")
            .header("Content-Type", "text/plain")
            .body("{\"name\":\"a\"}")
            .run(strict);
    refusedWith(fx, 415, "content type not declared");
  }

  @Test
  void aBodyOnAnOperationThatDeclaresNoneIs415() {
    FakeExchange fx =
        FakeExchange.get("/api/items")
            .header("X-Tenant", "t1")
            .header("Content-Type", "application/json")
            .body("{}")
            .run(strict);
    refusedWith(fx, 415, "declares no request body");
  }

  @Test
  void aBodyOverTheRoutesLimitIs413AndClosesTheConnection() {
    String big = "{\"name\":\"" + "a".repeat((int) MAX_BODY) + "\"}";
    FakeExchange fx = post("application/json", big);
    assertThat(fx.denial()).isEqualTo(Denial.BODY_TOO_LARGE);
    assertThat(fx.status()).isEqualTo(413);
    assertThat(Denial.BODY_TOO_LARGE.closeConnection()).isTrue();
  }

  @Test
  void aBodyTheClientBreaksOffIs400AndClosesTheConnection() {
    FakeExchange fx =
        FakeExchange.request("POST", "/api/items")
            .header("Content-Type", "application/json")
            .body("{\"name\":")
            .bodyBrokenOff()
            .run(strict);
    assertThat(fx.denial()).isEqualTo(Denial.BAD_FRAMING);
  }

  @Test
  void aRequiredBodyThatIsMissingIsAViolation() {
    FakeExchange fx =
        FakeExchange.request("POST", "/api/items")
            .header("Content-Type", "application/json")
            .run(strict);
    refusedWith(fx, 400, "request body required");
  }

  @Test
  void aValidBodyIsReadWholeAndLetThrough() {
    String item = "{ \"name\": \"bolt\", \"qty\": 3 }";
    FakeExchange fx = post("application/json; charset=utf-8", item);
    assertThat(fx.outcome()).isEqualTo(Outcome.PROCEEDED);
    assertThat(fx.exchange().bytesIn()).isEqualTo(item.length());
  }

  @Test
  void checkedResponsesAskTheUpstreamForAnUncompressedBody() {
    FakeExchange fx =
        FakeExchange.get("/api/items/7")
            .header("Accept-Encoding", "gzip, br")
            .run(checkedResponses);
    assertThat(fx.outcome()).isEqualTo(Outcome.PROCEEDED);
    assertThat(fx.requestHeaders().contains("accept-encoding")).isFalse();
    FakeExchange unchecked =
        FakeExchange.get("/api/items/7").header("Accept-Encoding", "gzip").run(strict);
    assertThat(unchecked.requestHeaders().get("accept-encoding")).isEqualTo("gzip");
  }

  @Test
  void aResponseOffTheContractIsBlockedWith502() {
    FakeExchange fx =
        FakeExchange.get("/api/items/7")
            .upstream(200, "Content-Type", "application/json")
            .upstreamBody("{\"name\":\"a\",\"secret\":\"s3cr3t\"}")
            .run(checkedResponses);
    assertThat(fx.status()).isEqualTo(502);
    assertThat(fx.responseBody()).doesNotContain("s3cr3t");
    assertThat(fx.exchange().decision()).isEqualTo("blocked");
  }

  @Test
  void aTracedRequestNotesTheOperationAndItsFirstViolation() {
    TraceLines valid = new TraceLines();
    TraceLines invalid = new TraceLines();

    FakeExchange.get("/api/items").header("X-Tenant", "t1").trace(valid).run(strict);
    FakeExchange.get("/api/items?limit=0").header("X-Tenant", "t1").trace(invalid).run(strict);

    assertThat(valid.lines())
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("note      contract: operation GET /")
                    .endsWith("items: request valid"));
    assertThat(invalid.lines())
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("note      contract: operation GET /")
                    .contains("items: 1 violation, query"));
  }
}
