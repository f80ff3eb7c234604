package dev.bulwark.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathNormalizerTest {
  @ParameterizedTest
  @CsvSource({
    "/, /",
    "/api/hello, /api/hello",
    "/api/, /api/",
    "/%61dmin, /admin",
    "/a%2db, /a-b",
    "/a%7e, /a~",
    "/a%3fb, /a%3Fb",
    "/caf%c3%a9, /caf%C3%A9",
    "/a.b/c..d, /a.b/c..d",
    "/a;v=1/b, /a;v=1/b",
    "/100%25, /100%25"
  })
  void normalisesToOneForm(String in, String out) {
    assertThat(PathNormalizer.normalize(in)).isEqualTo(out);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "api",
        "/a/../b",
        "/a/./b",
        "/..",
        "/.",
        "/a/..",
        "//a",
        "/a//b",
        "/a%2fb",
        "/a%2Fb",
        "/a%5cb",
        "/a\\b",
        "/%2e%2e/admin",
        "/%2E/x",
        "/.%2e/x",
        "/a%00",
        "/a%0d%0a",
        "/a%",
        "/a%4",
        "/a%zz",
        "/a b",
        "/caf\u00e9",
        "/a\u0000",
        "/a#frag",
        "/api/..;/admin",
        "/api/.;x/admin",
        "/api/%2e%2e;/admin",
        "/a/%252e%252e/b",
        "/a/%252Fb",
        "/a%255cb"
      })
  void refusesAmbiguousPaths(String path) {
    assertThat(PathNormalizer.normalize(path)).as(path).isNull();
  }

  @org.junit.jupiter.api.Test
  void pathParametersAreCutFromEachSegmentForRouting() {
    assertThat(PathNormalizer.withoutParameters("/api/admin;x=1/stats"))
        .isEqualTo("/api/admin/stats");
    assertThat(PathNormalizer.withoutParameters("/api/orgs;/globex")).isEqualTo("/api/orgs/globex");
    assertThat(PathNormalizer.withoutParameters("/a;b;c")).isEqualTo("/a");
    assertThat(PathNormalizer.withoutParameters("/;x")).isEqualTo("/");
    assertThat(PathNormalizer.withoutParameters("/a/;x/b")).isNull();
    assertThat(PathNormalizer.withoutParameters("/a/;x")).isNull();
  }
}
