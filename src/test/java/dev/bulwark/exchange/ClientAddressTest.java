package dev.bulwark.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {
  private final ClientAddressResolver resolver =
      new ClientAddressResolver(CidrSet.of(List.of("10.0.0.0/8", "fd00::/8")));

  @Test
  void spoofedForwardedForFromUntrustedPeerIsIgnored() {
    assertThat(resolver.resolve("203.0.113.9", List.of("for=1.2.3.4"), List.of("1.2.3.4")))
        .isEqualTo("203.0.113.9");
  }

  @Test
  void trustedProxyChainIsWalkedFromTheRight() {
    assertThat(resolver.resolve("10.0.0.1", List.of(), List.of("6.6.6.6, 198.51.100.7, 10.0.0.2")))
        .isEqualTo("198.51.100.7");
    assertThat(
            resolver.resolve(
                "10.0.0.1",
                List.of("for=198.51.100.7;proto=https", "for=\"[fd00::1]:443\""),
                List.of()))
        .isEqualTo("198.51.100.7");
  }

  @Test
  void malformedForwardingHeadersFallBackToThePeer() {
    assertThat(resolver.resolve("10.0.0.1", List.of(), List.of("not-an-ip"))).isEqualTo("10.0.0.1");
    assertThat(resolver.resolve("10.0.0.1", List.of("by=x"), List.of())).isEqualTo("10.0.0.1");
    assertThat(resolver.resolve("10.0.0.1", List.of(), List.of("1.1.1.1," + ",".repeat(100))))
        .isEqualTo("10.0.0.1");
  }

  @Test
  void ipv4MappedIpv6IsNormalised() {
    CidrSet set = CidrSet.of(List.of("192.0.2.0/24"));
    assertThat(set.contains("::ffff:192.0.2.10")).isTrue();
    assertThat(set.contains("192.0.2.255")).isTrue();
    assertThat(set.contains("192.0.3.0")).isFalse();
    assertThat(resolver.resolve("::ffff:10.1.2.3", List.of(), List.of("198.51.100.7")))
        .isEqualTo("198.51.100.7");
  }

  @Test
  void cidrsMergeAndRejectHostBits() {
    CidrSet set = CidrSet.of(List.of("10.0.0.0/9", "10.128.0.0/9", "2001:db8::/32", "::1"));
    assertThat(set.contains("10.255.255.255")).isTrue();
    assertThat(set.contains("11.0.0.0")).isFalse();
    assertThat(set.contains("2001:db8:ffff::1")).isTrue();
    assertThat(set.contains("::1")).isTrue();
    assertThat(set.contains("::2")).isFalse();
    assertThat(CidrSet.isValid("10.0.0.1/8")).isFalse();
    assertThat(CidrSet.isValid("10.0.0.0/33")).isFalse();
    assertThat(CidrSet.isValid("example.com")).isFalse();
    assertThat(CidrSet.isValid("0.0.0.0/0")).isTrue();
  }
}
