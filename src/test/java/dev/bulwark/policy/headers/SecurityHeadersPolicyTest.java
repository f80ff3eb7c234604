package dev.bulwark.policy.headers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import dev.bulwark.testing.FakeExchange;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Security headers and banner removal against a fake exchange, on upstream and gateway answers. */
class SecurityHeadersPolicyTest {
  private static final SecurityHeadersPolicy STRICT =
      SecurityHeadersPolicy.compile(HeadersConfig.STRICT);

  /** A later stage that refuses every request, so the gateway's own answer passes back. */
  private static final Policy REFUSE =
      new Policy() {
        @Override
        public Stage stage() {
          return Stage.AUTHZ;
        }

        @Override
        public String name() {
          return "authz";
        }

        @Override
        public void onRequest(Exchange exchange) {
          exchange.deny(Denial.of(403, "forbidden", "test"));
        }
      };

  @Test
  void upstreamBannersAreRemovedInAnyLetterCase() {
    FakeExchange fx =
        FakeExchange.get("/x")
            .upstream(
                200,
                "Server",
                "nginx/1.22.1",
                "X-Powered-By",
                "PHP/8.1",
                "x-aspnet-version",
                "4.0.30319",
                "X-ASPNETMVC-VERSION",
                "5.2",
                "X-Runtime",
                "0.01",
                "Via",
                "1.1 varnish",
                "X-Backend-Server",
                "app-3",
                "Content-Type",
                "application/json")
            .run(STRICT);
    assertThat(fx.responseHeaders().names())
        .doesNotContainAnyElementsOf(
            List.of(
                "Server",
                "X-Powered-By",
                "x-aspnet-version",
                "X-ASPNETMVC-VERSION",
                "X-Runtime",
                "Via",
                "X-Backend-Server"))
        .contains("Content-Type");
  }

  @Test
  void theStrictPresetReplacesWhatTheUpstreamSentForTheSameHeaders() {
    FakeExchange fx =
        FakeExchange.get("/x")
            .upstream(
                200,
                "X-Frame-Options",
                "ALLOWALL",
                "Content-Security-Policy",
                "default-src *",
                "Strict-Transport-Security",
                "max-age=0")
            .run(STRICT);
    var h = fx.responseHeaders();
    assertThat(h.getAll("x-frame-options")).containsExactly("DENY");
    assertThat(h.getAll("content-security-policy"))
        .containsExactly("default-src 'none'; frame-ancestors 'none'");
    assertThat(h.getAll("strict-transport-security")).hasSize(1);
    assertThat(h.get("strict-transport-security")).doesNotContain("max-age=0");
    assertThat(h.get("x-content-type-options")).isEqualTo("nosniff");
    assertThat(h.get("referrer-policy")).isEqualTo("no-referrer");
    assertThat(h.get("cross-origin-opener-policy")).isEqualTo("same-origin");
  }

  @Test
  void errorsAreNeverCachedButSuccessesKeepTheUpstreamsCacheControl() {
    FakeExchange denied = FakeExchange.get("/x").run(STRICT, REFUSE);
    assertThat(denied.status()).isEqualTo(403);
    assertThat(denied.responseHeaders().get("cache-control")).isEqualTo("no-store");
    assertThat(denied.responseHeaders().get("strict-transport-security")).isNotNull();
    FakeExchange upstreamError =
        FakeExchange.get("/x").upstream(500, "Cache-Control", "max-age=3600").run(STRICT);
    assertThat(upstreamError.responseHeaders().getAll("cache-control")).containsExactly("no-store");
    FakeExchange ok =
        FakeExchange.get("/x").upstream(200, "Cache-Control", "max-age=60").run(STRICT);
    assertThat(ok.responseHeaders().get("cache-control")).isEqualTo("max-age=60");
  }

  @Test
  void configuredHeadersOverrideThePresetAndExtraNamesAreRemoved() {
    SecurityHeadersPolicy custom =
        SecurityHeadersPolicy.compile(
            new HeadersConfig(
                HeadersConfig.Preset.STRICT,
                Map.of("X-Frame-Options", "SAMEORIGIN"),
                List.of("x-debug-token")));
    FakeExchange fx =
        FakeExchange.get("/x")
            .upstream(200, "X-Debug-Token", "abc123", "X-Frame-Options", "ALLOWALL")
            .run(custom);
    assertThat(fx.responseHeaders().getAll("x-frame-options")).containsExactly("SAMEORIGIN");
    assertThat(fx.responseHeaders().contains("x-debug-token")).isFalse();
  }

  @Test
  void thePresetOffLeavesTheUpstreamsHeadersAlone() {
    SecurityHeadersPolicy off =
        SecurityHeadersPolicy.compile(
            new HeadersConfig(HeadersConfig.Preset.OFF, Map.of(), List.of()));
    FakeExchange fx = FakeExchange.get("/x").upstream(500, "Server", "nginx").run(off);
    assertThat(fx.responseHeaders().get("server")).isEqualTo("nginx");
    assertThat(fx.responseHeaders().contains("strict-transport-security")).isFalse();
    assertThat(fx.responseHeaders().contains("cache-control")).isFalse();
  }
}
