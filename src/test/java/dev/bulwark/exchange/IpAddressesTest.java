package dev.bulwark.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Objects;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** IpAddresses: one reading per literal, no octal ambiguity, embedded IPv4 as the bits it names. */
class IpAddressesTest {

  private static String canonical(String literal) {
    byte[] a = IpAddresses.parse(literal);
    assertThat(a).as(literal).isNotNull();
    return IpAddresses.format(Objects.requireNonNull(a));
  }

  @ParameterizedTest
  @CsvSource({
    "10.0.0.1, 10.0.0.1",
    "0.0.0.0, 0.0.0.0",
    "255.255.255.255, 255.255.255.255",
    "192.0.2.100, 192.0.2.100",
    "::ffff:192.0.2.1, 192.0.2.1",
    "::ffff:c000:201, 192.0.2.1",
    "::FFFF:C000:0201, 192.0.2.1",
    "[::ffff:10.0.0.1], 10.0.0.1",
    "::1, ::1",
    "::, ::",
    "[::1], ::1",
    "fe80::1%eth0, fe80::1",
    "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
    "2001:DB8::A, 2001:db8::a",
    "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0",
    "::2:3:4:5:6:7:8, 0:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:1.2.3.4, 1:2:3:4:5:6:102:304",
  })
  void wellFormedLiteralsHaveOneCanonicalForm(String literal, String expected) {
    assertThat(canonical(literal)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "010.0.0.1", // octal 8.0.0.1 to inet_aton, decimal 10.0.0.1 to others
        "10.0.0.01",
        "10.00.0.1",
        "00.0.0.0",
        "0127.0.0.1",
        "::ffff:010.0.0.1",
        "::010.0.0.1",
        "256.0.0.1",
        "1.2.3",
        "1.2.3.4.5",
        "1..2.3",
        ".1.2.3",
        "1.2.3.",
        "0x7f.0.0.1",
        "2130706433", // 127.0.0.1 as one number
        "1.2.3.4 ",
        " 1.2.3.4",
        "١.٢.٣.٤", // Arabic-Indic digits
        "",
        ":",
        ":::",
        "1:::2",
        "1::2::3",
        ":1::2",
        "1::2:",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7:8::",
        "12345::1",
        "1:2:3:4:5:6:7:1.2.3.4",
        "::1.2.3",
        "::1.2.3.4:5",
        "1.2.3.4::",
        "g::1",
        "::ffff:1a.0.0.1",
      })
  void ambiguousOrMalformedLiteralsAreRefused(String literal) {
    assertThat(IpAddresses.parse(literal)).as(literal).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"::192.0.2.1", "::c000:201", "0:0:0:0:0:0:c000:201", "::C000:0201"})
  void anIpv4CompatibleAddressIsTheSameIpv6AddressInEverySpelling(String literal) {
    byte[] a = Objects.requireNonNull(IpAddresses.parse(literal));
    assertThat(IpAddresses.isV4(a)).as("::a.b.c.d is not an IPv4 address").isFalse();
    assertThat(IpAddresses.format(a)).isEqualTo("::c000:201");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "192.0.2.1",
        "::1",
        "2001:db8::1",
        "::ffff:10.1.2.3",
        "fe80::1:2:3:4",
        "1:2:3:4:5:6:7:8",
        "::c000:201"
      })
  void theBytesAgreeWithTheJdk(String literal) throws Exception {
    byte[] jdk = InetAddress.getByName(literal).getAddress();
    byte[] ours = Objects.requireNonNull(IpAddresses.parse(literal), literal);
    if (jdk.length == 4) {
      assertThat(java.util.Arrays.copyOfRange(ours, 12, 16)).isEqualTo(jdk);
      assertThat(IpAddresses.isV4(ours)).isTrue();
    } else {
      assertThat(ours).isEqualTo(jdk);
    }
  }
}
