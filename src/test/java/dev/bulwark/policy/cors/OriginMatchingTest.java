package dev.bulwark.policy.cors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The pure origin rules: configured entries normalised or refused, request origins matched. */
class OriginMatchingTest {
  private static final AllowedOrigins LIST =
      AllowedOrigins.of(
          false,
          List.of(
              "https://app.example.com",
              "https://*.example.org",
              "http://localhost:3000",
              "https://xn--bcher-kva.example"));

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://app.example.com",
        "https://a.example.org",
        "https://a.b-c.example.org",
        "https://xn--80ak6aa92e.example.org",
        "http://localhost:3000",
        "https://xn--bcher-kva.example"
      })
  void listedOriginsMatch(String origin) {
    assertThat(LIST.allows(origin)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // other domains, suffix and prefix tricks
        "https://evil.com",
        "https://app.example.com.evil.net",
        "https://app.example.com.evil.com",
        "https://evilapp.example.com",
        "https://evil.app.example.com",
        "https://evilexample.org",
        "https://evil-example.org",
        "https://example.org.evil.net",
        "https://a.example.org.evil.net",
        "https://example.org",
        "https://.example.org",
        "https://a..example.org",
        "https://-a.example.org",
        "https://a-.example.org",
        "https://a_b.example.org",
        // null, scheme and port variants
        "null",
        "",
        "http://app.example.com",
        "ws://app.example.com",
        "https://app.example.com:443",
        "https://app.example.com:8443",
        "http://a.example.org",
        "https://a.example.org:443",
        "https://a.example.org:8443",
        "http://localhost",
        "http://localhost:03000",
        "https://localhost:3000",
        // case tricks: browsers always send lower case
        "HTTPS://APP.EXAMPLE.COM",
        "https://App.example.com",
        "https://A.example.org",
        "https://a.EXAMPLE.org",
        // trailing dot, paths and what hides after the host
        "https://app.example.com.",
        "https://a.example.org.",
        "https://app.example.com/",
        "https://evil.com/.example.org",
        "https://evil.com?.example.org",
        "https://evil.com#.example.org",
        "https://evil.com\u0000.example.org",
        "https://user@a.example.org",
        "https://app.example.com@evil.com",
        // IDN: raw Unicode and look-alikes never equal the punycode entry
        "https://bücher.example",
        "https://аpp.example.com",
        "https://ä.example.org",
        // whitespace and several origins in one value
        " https://app.example.com",
        "https://app.example.com ",
        "https://app.example.com\t",
        "https://app.example.com https://evil.com",
        "https://app.example.com, https://evil.com",
        "https://evil.com https://app.example.com"
      })
  void hostileOriginsNeverMatch(String origin) {
    assertThat(LIST.allows(origin)).as(origin).isFalse();
  }

  @Test
  void anOverlongOriginIsNotCompared() {
    String deep = "https://" + "a.".repeat(200) + "example.org";
    assertThat(LIST.allows(deep)).isFalse();
  }

  @Test
  void severalOriginHeadersAreNoOrigin() {
    assertThat(AllowedOrigins.single(List.of("https://app.example.com"))).isNotNull();
    assertThat(AllowedOrigins.single(List.of("https://app.example.com", "https://evil.com")))
        .isNull();
    assertThat(AllowedOrigins.single(List.of())).isNull();
  }

  @Test
  void theWildcardListAllowsEveryOriginButIsNeverReflected() {
    AllowedOrigins any = AllowedOrigins.of(true, List.of());
    assertThat(any.any()).isTrue();
    assertThat(any.allows("https://evil.com")).isTrue();
  }

  @ParameterizedTest
  @CsvSource({
    "HTTPS://App.Example.COM, https://app.example.com",
    "https://app.example.com:443, https://app.example.com",
    "http://app.example.com:80, http://app.example.com",
    "https://app.example.com:8443, https://app.example.com:8443",
    "http://localhost:3000, http://localhost:3000",
    "http://127.0.0.1:8080, http://127.0.0.1:8080",
    "https://*.Example.com, https://*.example.com",
    "https://*.example.co.uk:8443, https://*.example.co.uk:8443",
    "https://xn--bcher-kva.example, https://xn--bcher-kva.example"
  })
  void configuredOriginsAreNormalisedToWhatBrowsersSend(String entry, String canonical) {
    OriginRule.Parsed parsed = OriginRule.parse(entry);
    assertThat(parsed.problem()).as(entry).isNull();
    assertThat(String.valueOf(parsed.rule() == null ? null : parsed.rule().text()))
        .isEqualTo(canonical);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "null| sandboxed frames",
        "NULL| sandboxed frames",
        "app.example.com| an origin such as",
        "//app.example.com| an origin such as",
        "ftp://app.example.com| an http or https origin",
        "file:///etc/passwd| an http or https origin",
        "javascript://app.example.com| an http or https origin",
        "https://app.example.com/| without path",
        "https://app.example.com/app| without path",
        "https://app.example.com?x=1| without path",
        "https://app.example.com#top| without path",
        "https://user:pw@app.example.com| without user info",
        "https://app.example.com.| trailing dot",
        "https://app.example.com:0| a port",
        "https://app.example.com:65536| a port",
        "https://app.example.com:| a port",
        "https://app.example.com:8443x| a port",
        "https://[::1]:8443| IPv6",
        "https://bücher.example| punycode",
        "https://app example.com| without spaces",
        "https://-app.example.com| labels",
        "https://app_1.example.com| labels",
        "https://| labels",
        "http://127.1| labels",
        "http://256.1.1.1| labels",
        "http://010.0.0.1| labels",
        "https://*| subdomain wildcard",
        "https://*.com| subdomain wildcard",
        "https://a.*.com| subdomain wildcard",
        "https://*example.com| subdomain wildcard",
        "https://*.*.example.com| subdomain wildcard",
        "https://*.| trailing dot",
        "https://*.1.2.3| subdomain wildcard",
        "https://**.example.com| subdomain wildcard"
      })
  void malformedEntriesAreRefusedWithWhatWasExpected(String entry, String expected) {
    OriginRule.Parsed parsed = OriginRule.parse(entry);
    assertThat(parsed.rule()).as(entry).isNull();
    assertThat(parsed.problem()).as(entry).contains(expected.trim());
  }
}
