package dev.bulwark.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestHostTest {
  @Test
  void hostIsLowerCasedAndLosesOneTrailingDot() {
    assertThat(RequestHost.parse("Internal.Example."))
        .isEqualTo(new RequestHost("internal.example", -1));
    assertThat(RequestHost.parse("api.example.com:8443"))
        .isEqualTo(new RequestHost("api.example.com", 8443));
    assertThat(RequestHost.parse("API.example.com.:443"))
        .isEqualTo(new RequestHost("api.example.com", 443));
    assertThat(RequestHost.parse("127.0.0.1")).isEqualTo(new RequestHost("127.0.0.1", -1));
    assertThat(RequestHost.parse("[::1]:8443")).isEqualTo(new RequestHost("::1", 8443));
    assertThat(RequestHost.parse("[2001:DB8::1]")).isEqualTo(new RequestHost("2001:db8::1", -1));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "a@b",
        "user@api.example.com",
        "a..b",
        ".a",
        "a..",
        ".",
        "host:",
        "host:65536",
        "host:123456",
        "host:8a",
        "host:-1",
        "a b",
        "a/b",
        "a\\\\b",
        "[::1",
        "[::1]x",
        "[fe80::1%eth0]",
        "[not-ip]",
        "ex%61mple.com",
        "exämple.com",
        "a,b",
        "a;b"
      })
  void malformedHostsAreRefused(String raw) {
    assertThat(RequestHost.parse(raw)).isNull();
  }

  @Test
  void authorityDropsTheDefaultPort() {
    assertThat(new RequestHost("a.example", 443).authority(443)).isEqualTo("a.example");
    assertThat(new RequestHost("a.example", 8443).authority(443)).isEqualTo("a.example:8443");
    assertThat(new RequestHost("::1", 8443).authority(443)).isEqualTo("[::1]:8443");
    assertThat(new RequestHost("a.example", -1).authority(443)).isEqualTo("a.example");
  }

  @Test
  void overlongLabelsAreRefused() {
    assertThat(RequestHost.parse("a".repeat(63) + ".example")).isNotNull();
    assertThat(RequestHost.parse("a".repeat(64) + ".example")).isNull();
  }
}
