package dev.bulwark.policy.errors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import dev.bulwark.testing.FakeExchange;
import org.junit.jupiter.api.Test;

/** Masking of upstream 5xx bodies against a fake exchange. */
class ErrorMaskingPolicyTest {
  private static final ErrorMaskingPolicy MASK = new ErrorMaskingPolicy(ErrorsConfig.DEFAULTS);
  private static final String STACK =
      "java.lang.NullPointerException: password=hunter2\n\tat com.acme.Db.query(Db.java:42)";

  private static FakeExchange upstream(int status, ErrorMaskingPolicy policy) {
    return FakeExchange.get("/x")
        .requestId("req-42")
        .upstream(
            status,
            "Content-Type",
            "text/plain",
            "Content-Encoding",
            "gzip",
            "ETag",
            "\"v1\"",
            "Content-Length",
            String.valueOf(STACK.length()))
        .upstreamBody(STACK)
        .run(policy);
  }

  @Test
  void anUpstream5xxBodyIsReplacedByTheGenericErrorWithTheRequestId() {
    FakeExchange fx = upstream(500, MASK);
    assertThat(fx.status()).isEqualTo(500);
    assertThat(fx.responseBody())
        .isEqualTo("{\"error\":\"internal error\",\"status\":500,\"requestId\":\"req-42\"}");
    var h = fx.responseHeaders();
    assertThat(h.get("content-type")).startsWith("application/json");
    assertThat(h.get("content-length"))
        .isEqualTo(String.valueOf(java.util.Objects.requireNonNull(fx.responseBody()).length()));
    assertThat(h.contains("content-encoding")).isFalse();
    assertThat(h.contains("etag")).isFalse();
    assertThat(fx.exchange().decision()).isEqualTo("masked");
    assertThat(fx.exchange().denyReason()).isEqualTo("upstream answered 500");
    assertThat(fx.exchange().captureUpstreamBody()).isEqualTo(512);
  }

  @Test
  void everyUpstream5xxStatusIsKeptWhileItsBodyIsMasked() {
    for (int status : new int[] {501, 502, 503, 504, 599}) {
      FakeExchange fx = upstream(status, MASK);
      assertThat(fx.status()).isEqualTo(status);
      assertThat(fx.responseBody()).doesNotContain("NullPointerException", "hunter2");
    }
  }

  @Test
  void upstream4xxAndSuccessBodiesPassUntouched() {
    for (int status : new int[] {200, 404, 422}) {
      FakeExchange fx = upstream(status, MASK);
      assertThat(fx.responseBody()).isEqualTo(STACK);
      assertThat(fx.exchange().decision()).isEqualTo("allow");
    }
  }

  @Test
  void theGatewaysOwn5xxIsNotMaskedAgain() {
    Policy unreachable =
        new Policy() {
          @Override
          public Stage stage() {
            return Stage.AUTHZ;
          }

          @Override
          public String name() {
            return "test";
          }

          @Override
          public void onRequest(Exchange exchange) {
            exchange.deny(Denial.UPSTREAM_UNREACHABLE);
          }
        };
    FakeExchange fx = FakeExchange.get("/x").run(MASK, unreachable);
    assertThat(fx.status()).isEqualTo(502);
    assertThat(fx.responseBody()).contains("\"error\":\"bad gateway\"");
    assertThat(fx.exchange().decision()).isEqualTo("deny");
  }

  @Test
  void maskingCanBeTurnedOff() {
    FakeExchange fx = upstream(500, new ErrorMaskingPolicy(new ErrorsConfig(false, 0)));
    assertThat(fx.responseBody()).isEqualTo(STACK);
  }

  @Test
  void theLoggedCopyOfAMaskedBodyHasItsCredentialsRedactedAndIsOneLine() {
    String logged = LoggedBody.of(STACK.getBytes(java.nio.charset.StandardCharsets.UTF_8), 512);
    assertThat(logged).doesNotContain("hunter2", "\n").contains("password=[REDACTED]");
  }
}
