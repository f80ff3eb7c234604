package dev.bulwark.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pure judging rules, without a network: one response in, one verdict out. */
class CheckRulesTest {

  private static ProbeResponse response(String... headerLines) {
    List<HeaderField> headers = new ArrayList<>();
    for (String line : headerLines) {
      int colon = line.indexOf(':');
      headers.add(new HeaderField(line.substring(0, colon), line.substring(colon + 1).trim()));
    }
    return new ProbeResponse(200, "HTTP/1.1 200 OK", headers, "", false, true, Duration.ZERO);
  }

  @Test
  void hstsShorterThanAYearWarnsAndMaxAgeZeroFails() {
    assertThat(
            TransportChecks.hsts(response("Strict-Transport-Security: max-age=31536000")).verdict())
        .isEqualTo(Verdict.PASS);
    assertThat(TransportChecks.hsts(response("Strict-Transport-Security: max-age=86400")).verdict())
        .isEqualTo(Verdict.WARN);
    assertThat(TransportChecks.hsts(response("Strict-Transport-Security: max-age=0")).verdict())
        .isEqualTo(Verdict.FAIL);
    assertThat(TransportChecks.hsts(response()).verdict()).isEqualTo(Verdict.FAIL);
  }

  @Test
  void cspWithUnsafeInlineOrWildcardWarns() {
    Finding inline =
        HeaderChecks.csp(
            response(
                "Content-Security-Policy: default-src 'self'; script-src 'self' 'unsafe-inline'"));
    assertThat(inline.verdict()).isEqualTo(Verdict.WARN);
    assertThat(inline.evidence()).contains("'unsafe-inline'");
    assertThat(HeaderChecks.csp(response("Content-Security-Policy: default-src *")).evidence())
        .contains("default-src *");
    assertThat(
            HeaderChecks.csp(response("Content-Security-Policy-Report-Only: default-src 'none'"))
                .verdict())
        .isEqualTo(Verdict.WARN);
    assertThat(HeaderChecks.csp(response("Content-Security-Policy: default-src 'none'")).verdict())
        .isEqualTo(Verdict.PASS);
  }

  @Test
  void frameAncestorsWildcardFailsEvenWithXFrameOptions() {
    assertThat(
            HeaderChecks.frameProtection(
                    response("Content-Security-Policy: frame-ancestors *", "X-Frame-Options: DENY"))
                .verdict())
        .isEqualTo(Verdict.FAIL);
    assertThat(
            HeaderChecks.frameProtection(response("X-Frame-Options: ALLOW-FROM https://a"))
                .verdict())
        .isEqualTo(Verdict.WARN);
  }

  @Test
  void referrerPolicyUsesTheLastKnownToken() {
    assertThat(HeaderChecks.referrerPolicy(response("Referrer-Policy: unsafe-url")).verdict())
        .isEqualTo(Verdict.FAIL);
    assertThat(
            HeaderChecks.referrerPolicy(response("Referrer-Policy: origin, no-referrer")).verdict())
        .isEqualTo(Verdict.PASS);
  }

  @Test
  void versionedServerAndPoweredByAreBanners() {
    assertThat(HeaderChecks.banners(List.of(response("Server: nginx/1.22.1"))).verdict())
        .isEqualTo(Verdict.FAIL);
    assertThat(HeaderChecks.banners(List.of(response("Server: nginx"))).verdict())
        .isEqualTo(Verdict.PASS);
    assertThat(
            HeaderChecks.banners(
                    List.of(response("Server: nginx"), response("X-AspNet-Version: 4.0.30319")))
                .evidence())
        .contains("X-AspNet-Version");
  }

  @Test
  void cookieFlagsAndHostPrefixAreJudged() {
    assertThat(
            CookieChecks.run(List.of(response("Set-Cookie: a=1; Secure; HttpOnly; SameSite=Lax")))
                .verdict())
        .isEqualTo(Verdict.PASS);
    assertThat(CookieChecks.run(List.of(response("Set-Cookie: a=1; Secure"))).verdict())
        .isEqualTo(Verdict.WARN);
    Finding hostPrefix =
        CookieChecks.run(
            List.of(
                response(
                    "Set-Cookie: __Host-id=1; Secure; HttpOnly; SameSite=Strict; Path=/; Domain=example.com")));
    assertThat(hostPrefix.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(hostPrefix.evidence()).contains("__Host-");
    assertThat(CookieChecks.run(List.of(response())).evidence()).isEqualTo("no cookies set");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\tat com.acme.Api.handle(Api.java:12)",
        "Traceback (most recent call last):\n  File \"/srv/app.py\", line 3",
        "at Object.<anonymous> (/usr/src/app/index.js:10:5)",
        "goroutine 1 [running]:",
        "You have an error in your SQL syntax near ''' at line 1",
        "{\"detail\":\"/var/www/html/index.php missing\"}",
        "<hr><address>Apache/2.4.41 (Ubuntu) Server</address>",
        "org.springframework.web.HttpMediaTypeNotSupportedException"
      })
  void internalDetailIsALeak(String body) {
    assertThat(LeakPatterns.find(body)).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"error\":\"bad request\",\"status\":400,\"requestId\":\"8f1c\"}",
        "<html><body>Not found. See https://example.com/opt/help</body></html>",
        "Method not allowed"
      })
  void maskedErrorIsNotALeak(String body) {
    assertThat(LeakPatterns.find(body)).isNull();
  }

  @Test
  void failedCriticalCheckCapsTheScore() {
    Check critical = new Check("c", CheckFamily.CORS, Severity.CRITICAL, "c", "fix");
    List<Finding> manyPasses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      manyPasses.add(new Check("p" + i, CheckFamily.HEADERS, Severity.HIGH, "p", "fix").pass("ok"));
    }
    manyPasses.add(critical.fail("reflected"));
    assertThat(ProbeScore.of(manyPasses, false).value()).isEqualTo(ProbeScore.CRITICAL_CAP);

    List<Finding> mixed =
        List.of(
            critical.pass("ok"),
            new Check("w", CheckFamily.HEADERS, Severity.HIGH, "w", "fix").warn("half"),
            new Check("s", CheckFamily.SMUGGLING, Severity.CRITICAL, "s", "fix").skip("not run"));
    // (10 + 3) / 16 points; the skipped check does not count
    assertThat(ProbeScore.of(mixed, false).value()).isEqualTo(81);
    assertThat(ProbeScore.of(mixed, true).value()).isZero();
  }

  @Test
  void targetParsingNeedsHttpsAndKeepsPathAndQuery() {
    ProbeTarget target = ProbeTarget.parse("https://API.example.com/v1/health?deep=1", null);
    assertThat(target.host()).isEqualTo("api.example.com");
    assertThat(target.port()).isEqualTo(443);
    assertThat(target.path()).isEqualTo("/v1/health?deep=1");
    assertThat(target.origin()).isEqualTo("https://api.example.com");
    assertThat(ProbeTarget.parse("https://[::1]:8443", "status").authority())
        .isEqualTo("[::1]:8443");
    assertThat(ProbeTarget.parse("https://[::1]:8443", "status").path()).isEqualTo("/status");
    assertThatThrownBy(() -> ProbeTarget.parse("http://example.com", null))
        .hasMessageContaining("expected: an https:// URL");
  }

  @Test
  void onlySameOriginRedirectsAreFollowed() {
    ProbeTarget target = ProbeTarget.parse("https://example.com:8443/a", null);
    assertThat(TargetChecks.sameOriginTarget(target, "/a", "/b?x=1")).isEqualTo("/b?x=1");
    assertThat(TargetChecks.sameOriginTarget(target, "/a/", "c")).isEqualTo("/a/c");
    assertThat(TargetChecks.sameOriginTarget(target, "/a", "https://EXAMPLE.com:8443/d"))
        .isEqualTo("/d");
    assertThat(TargetChecks.sameOriginTarget(target, "/a", "https://example.com/d")).isNull();
    assertThat(TargetChecks.sameOriginTarget(target, "/a", "http://example.com:8443/d")).isNull();
    assertThat(TargetChecks.sameOriginTarget(target, "/a", "https://evil.example/d")).isNull();
    assertThat(TargetChecks.sameOriginTarget(target, "/a", "//evil.example/d")).isNull();
  }

  @Test
  void hostileOriginsNeverIncludeTheTargetsOwnOrigin() {
    ProbeTarget target = ProbeTarget.parse("https://api.example.com", null);
    assertThat(CorsChecks.hostileOrigins(target))
        .extracting(CorsChecks.HostileOrigin::origin)
        .doesNotContain(target.origin())
        .contains(
            "null", "http://api.example.com", "https://api.example.com.bulwark-probe.invalid");
  }

  @Test
  void weakSuitesAreNamedWithTheirWeaknesses() {
    assertThat(CipherSuite.byCode(0xC02F).weaknesses()).isEmpty();
    assertThat(CipherSuite.byCode(0xC013).weaknesses()).containsExactly("CBC");
    assertThat(CipherSuite.byCode(0x009C).weaknesses()).containsExactly("no forward secrecy");
    assertThat(CipherSuite.byCode(0x000A).weaknesses())
        .contains("DES/3DES", "CBC", "no forward secrecy");
    assertThat(CipherSuite.weakSuites()).noneMatch(s -> s.aead() && s.forwardSecret());
  }

  private static ProbeResponse read(String wire, int maxBody) throws IOException {
    return new ResponseReader(
            new ByteArrayInputStream(wire.getBytes(StandardCharsets.ISO_8859_1)), maxBody)
        .read(false, System.nanoTime());
  }

  @Test
  void responseReaderSkipsInterimResponsesAndDecodesChunks() throws IOException {
    ProbeResponse response =
        read(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n",
            1024);
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("hello world");
    assertThat(response.reusable()).isTrue();
  }

  @Test
  void responseReaderStopsAtTheBodyBound() throws IOException {
    ProbeResponse response =
        read("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + "a".repeat(5000), 1024);
    assertThat(response.body()).hasSize(1024);
    assertThat(response.bodyTruncated()).isTrue();
    assertThat(response.reusable()).isFalse();
  }

  @Test
  void responseReaderRejectsNonHttp() {
    assertThatThrownBy(() -> read("SSH-2.0-OpenSSH_9.2\r\n", 1024))
        .isInstanceOf(java.net.ProtocolException.class)
        .hasMessageContaining("not an HTTP/1.x status line");
  }

  @Test
  void slowHeaderIntervalNeverExceedsOneSecond() {
    assertThat(SlowHeaderCheck.interval(Duration.ofSeconds(20))).isEqualTo(Duration.ofSeconds(1));
    assertThat(SlowHeaderCheck.interval(Duration.ofSeconds(2))).isEqualTo(Duration.ofMillis(400));
  }
}
