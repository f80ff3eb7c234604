package dev.bulwark.policy.cors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.pipeline.TraceLines;
import dev.bulwark.testing.FakeExchange;
import dev.bulwark.testing.FakeExchange.Outcome;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CORS against a fake exchange: preflights answered here, actual requests decorated on the way out.
 */
class CorsPolicyTest {
  private static final String APP = "https://app.example.com";
  private static final CorsPolicy CORS =
      CorsPolicy.compile(
          new CorsConfig(
              true,
              false,
              List.of(APP, "https://*.partner.example"),
              List.of("GET", "PUT"),
              List.of("content-type", "authorization"),
              List.of("x-request-id"),
              true,
              Duration.ofMinutes(10)));

  private static FakeExchange.Builder preflight(String origin, String method) {
    return FakeExchange.request("OPTIONS", "/api/x")
        .header("Origin", origin)
        .header("Access-Control-Request-Method", method);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://evil.example",
        "null",
        "https://app.example.com.evil.net",
        "https://evilapp.example.com",
        "http://app.example.com",
        "https://APP.example.com",
        "https://app.example.com:443",
        "https://app.example.com/",
        "https://partner.example",
        "https://x.partner.example.evil.net",
        "https://app.example.com https://evil.example"
      })
  void aPreflightFromAnOriginOffTheListIsRefusedAndNothingIsReflected(String origin) {
    FakeExchange fx = preflight(origin, "GET").run(CORS);
    assertThat(fx.outcome()).as(origin).isEqualTo(Outcome.DENIED);
    assertThat(fx.status()).isEqualTo(403);
    assertThat(fx.responseHeaders().get("access-control-allow-origin")).isNull();
    assertThat(fx.responseHeaders().get("access-control-allow-credentials")).isNull();
    assertThat(fx.responseBody()).doesNotContain(origin);
  }

  @Test
  void aPreflightWithTwoOriginHeadersIsRefused() {
    FakeExchange fx = preflight(APP, "GET").header("Origin", "https://evil.example").run(CORS);
    assertThat(fx.status()).isEqualTo(403);
    assertThat(fx.responseHeaders().get("access-control-allow-origin")).isNull();
  }

  @Test
  void aPreflightForAMethodOffTheListIsRefused() {
    FakeExchange fx = preflight(APP, "DELETE").run(CORS);
    assertThat(fx.status()).isEqualTo(403);
    assertThat(fx.exchange().denyReason()).isEqualTo("cors preflight for a method not allowed");
  }

  @Test
  void aPreflightAskingForARequestHeaderOffTheListIsRefused() {
    FakeExchange fx =
        preflight(APP, "PUT")
            .header("Access-Control-Request-Headers", "content-type, x-admin")
            .run(CORS);
    assertThat(fx.status()).isEqualTo(403);
    assertThat(fx.exchange().denyReason())
        .isEqualTo("cors preflight for request headers not allowed");
  }

  @Test
  void aPreflightAskingForTooManyRequestHeadersIsRefusedWithoutLookingFurther() {
    String many = String.join(",", java.util.Collections.nCopies(65, "content-type"));
    assertThat(
            preflight(APP, "PUT").header("Access-Control-Request-Headers", many).run(CORS).status())
        .isEqualTo(403);
  }

  @Test
  void anAllowedPreflightIsAnswered204HereWithTheAllowHeaders() {
    FakeExchange fx =
        preflight(APP, "PUT")
            .header("Access-Control-Request-Headers", "Content-Type,  Authorization")
            .run(CORS);
    assertThat(fx.outcome()).isEqualTo(Outcome.ANSWERED);
    assertThat(fx.status()).isEqualTo(204);
    assertThat(fx.exchange().decision()).isEqualTo("preflight");
    var h = fx.responseHeaders();
    assertThat(h.get("access-control-allow-origin")).isEqualTo(APP);
    assertThat(h.get("access-control-allow-credentials")).isEqualTo("true");
    assertThat(h.get("access-control-allow-methods")).isEqualTo("GET, PUT");
    assertThat(h.get("access-control-allow-headers")).isEqualTo("content-type, authorization");
    assertThat(h.get("access-control-max-age")).isEqualTo("600");
    assertThat(h.get("vary"))
        .isEqualTo("Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    assertThat(h.contains("content-length")).isFalse();
  }

  @Test
  void aSubdomainOfAWildcardEntryIsAllowedByItsOwnName() {
    String origin = "https://eu.shop.partner.example";
    FakeExchange fx = preflight(origin, "GET").run(CORS);
    assertThat(fx.status()).isEqualTo(204);
    assertThat(fx.responseHeaders().get("access-control-allow-origin")).isEqualTo(origin);
  }

  @Test
  void anActualRequestFromAListedOriginIsAllowedOnTheWayOut() {
    FakeExchange fx = FakeExchange.get("/api/x").header("Origin", APP).upstream(200).run(CORS);
    assertThat(fx.outcome()).isEqualTo(Outcome.PROCEEDED);
    var h = fx.responseHeaders();
    assertThat(h.get("access-control-allow-origin")).isEqualTo(APP);
    assertThat(h.get("access-control-allow-credentials")).isEqualTo("true");
    assertThat(h.get("access-control-expose-headers")).isEqualTo("x-request-id");
    assertThat(h.get("vary")).isEqualTo("Origin");
  }

  @Test
  void anActualRequestFromAnUnlistedOriginProceedsButGetsNoCorsHeaders() {
    FakeExchange fx =
        FakeExchange.get("/api/x")
            .header("Origin", "https://evil.example")
            .upstream(
                200,
                "Access-Control-Allow-Origin",
                "https://evil.example",
                "Access-Control-Allow-Credentials",
                "true",
                "Access-Control-Allow-Methods",
                "DELETE")
            .run(CORS);
    assertThat(fx.outcome()).isEqualTo(Outcome.PROCEEDED);
    var h = fx.responseHeaders();
    assertThat(h.contains("access-control-allow-origin")).isFalse();
    assertThat(h.contains("access-control-allow-credentials")).isFalse();
    assertThat(h.contains("access-control-allow-methods")).isFalse();
    assertThat(h.get("vary")).isEqualTo("Origin");
  }

  @Test
  void theUpstreamsWildcardIsReplacedByTheGatewaysAnswer() {
    FakeExchange fx =
        FakeExchange.get("/api/x")
            .header("Origin", APP)
            .upstream(200, "Access-Control-Allow-Origin", "*")
            .run(CORS);
    assertThat(fx.responseHeaders().getAll("access-control-allow-origin")).containsExactly(APP);
  }

  @Test
  void varyKeepsWhatTheUpstreamListedAndAddsOriginOnce() {
    FakeExchange merged =
        FakeExchange.get("/api/x")
            .header("Origin", APP)
            .upstream(200, "Vary", "Accept-Encoding")
            .run(CORS);
    assertThat(merged.responseHeaders().getAll("vary"))
        .containsExactly("Accept-Encoding", "Origin");
    FakeExchange already =
        FakeExchange.get("/api/x").upstream(200, "Vary", "accept-encoding, origin").run(CORS);
    assertThat(already.responseHeaders().getAll("vary")).containsExactly("accept-encoding, origin");
    FakeExchange star = FakeExchange.get("/api/x").upstream(200, "Vary", "*").run(CORS);
    assertThat(star.responseHeaders().getAll("vary")).containsExactly("*");
  }

  @Test
  void anOptionsRequestWithoutARequestMethodIsAnActualRequest() {
    FakeExchange fx =
        FakeExchange.request("OPTIONS", "/api/x").header("Origin", APP).upstream(200).run(CORS);
    assertThat(fx.outcome()).isEqualTo(Outcome.PROCEEDED);
    assertThat(fx.responseHeaders().get("access-control-allow-methods")).isNull();
  }

  @Test
  void aDenialByALaterStageStillCarriesTheVaryHeader() {
    FakeExchange fx =
        FakeExchange.get("/api/x")
            .header("Origin", APP)
            .run(
                CORS,
                new dev.bulwark.policy.Policy() {
                  @Override
                  public dev.bulwark.policy.Stage stage() {
                    return dev.bulwark.policy.Stage.AUTHZ;
                  }

                  @Override
                  public String name() {
                    return "authz";
                  }

                  @Override
                  public void onRequest(dev.bulwark.exchange.Exchange exchange) {
                    exchange.deny(dev.bulwark.exchange.Denial.of(403, "forbidden", "test"));
                  }
                });
    assertThat(fx.status()).isEqualTo(403);
    assertThat(fx.responseHeaders().get("vary")).isEqualTo("Origin");
    assertThat(fx.responseHeaders().get("access-control-allow-origin")).isEqualTo(APP);
  }

  @Test
  void aTracedPreflightOrRequestSaysWhetherItsOriginIsAllowed() {
    TraceLines preflight = new TraceLines();
    TraceLines refused = new TraceLines();
    TraceLines actual = new TraceLines();
    TraceLines foreign = new TraceLines();

    preflight(APP, "GET").trace(preflight).run(CORS);
    preflight("https://evil.example", "GET").trace(refused).run(CORS);
    FakeExchange.get("/x").header("Origin", APP).trace(actual).run(CORS);
    FakeExchange.get("/x").header("Origin", "https://evil.example").trace(foreign).run(CORS);

    assertThat(preflight.lines())
        .contains("note      cors: preflight from origin " + APP + " for GET: allowed");
    assertThat(refused.lines())
        .contains("note      cors: preflight from origin https://evil.example for GET: refused");
    assertThat(actual.lines()).contains("note      cors: origin " + APP + " allowed");
    assertThat(foreign.lines())
        .contains("note      cors: origin https://evil.example not on the list: no CORS headers");
  }
}
