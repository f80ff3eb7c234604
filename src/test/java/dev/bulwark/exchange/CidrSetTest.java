package dev.bulwark.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** CidrSet: ranges of both families, their edges, malformed entries, and a brute-force model. */
class CidrSetTest {
  private static final BigInteger V4_MAPPED = BigInteger.valueOf(0xffffL).shiftLeft(32);
  private static final BigInteger ALL_128 = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

  private static CidrSet set(String... cidrs) {
    return CidrSet.of(List.of(cidrs));
  }

  @Test
  void ipv4RangeHoldsItsFirstAndLastAddressAndNothingBeyond() {
    CidrSet s = set("10.0.0.0/8");
    assertThat(s.contains("10.0.0.0")).isTrue();
    assertThat(s.contains("10.255.255.255")).isTrue();
    assertThat(s.contains("9.255.255.255")).isFalse();
    assertThat(s.contains("11.0.0.0")).isFalse();
  }

  @Test
  void ipv6RangeHoldsItsFirstAndLastAddressAndNothingBeyond() {
    CidrSet s = set("2001:db8::/32");
    assertThat(s.contains("2001:db8::")).isTrue();
    assertThat(s.contains("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")).isTrue();
    assertThat(s.contains("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff")).isFalse();
    assertThat(s.contains("2001:db9::")).isFalse();
  }

  @Test
  void prefixesAroundTheMiddleOfAnIpv6AddressCutAtTheRightBit() {
    // The set keeps each address as two 64-bit halves: prefixes 63, 64 and 65 cut at the seam.
    assertThat(set("2001:db8:0:2::/63").contains("2001:db8:0:3:ffff:ffff:ffff:ffff")).isTrue();
    assertThat(set("2001:db8:0:2::/63").contains("2001:db8:0:4::")).isFalse();
    assertThat(set("2001:db8:0:2::/64").contains("2001:db8:0:2:ffff:ffff:ffff:ffff")).isTrue();
    assertThat(set("2001:db8:0:2::/64").contains("2001:db8:0:3::")).isFalse();
    assertThat(set("2001:db8:0:2:8000::/65").contains("2001:db8:0:2:ffff:ffff:ffff:ffff")).isTrue();
    assertThat(set("2001:db8:0:2:8000::/65").contains("2001:db8:0:2:7fff:ffff:ffff:ffff"))
        .isFalse();
    assertThat(set("2001:db8::fe/127").contains("2001:db8::ff")).isTrue();
    assertThat(set("2001:db8::fe/127").contains("2001:db8::100")).isFalse();
  }

  @Test
  void ipv4SlashZeroHoldsEveryIpv4AddressAndNoIpv6Address() {
    CidrSet s = set("0.0.0.0/0");
    assertThat(s.contains("0.0.0.0")).isTrue();
    assertThat(s.contains("255.255.255.255")).isTrue();
    assertThat(s.contains("::ffff:203.0.113.9")).isTrue();
    assertThat(s.contains("::1")).isFalse();
    assertThat(s.contains("2001:db8::1")).isFalse();
    assertThat(s.contains("::")).isFalse();
  }

  @Test
  void ipv6SlashZeroHoldsEveryAddressOfBothFamilies() {
    CidrSet s = set("::/0");
    assertThat(s.contains("::")).isTrue();
    assertThat(s.contains("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).isTrue();
    assertThat(s.contains("203.0.113.9")).isTrue();
  }

  @Test
  void slash32AndSlash128AndABareAddressHoldExactlyOneAddress() {
    assertThat(set("192.0.2.1/32")).isEqualTo(set("192.0.2.1"));
    assertThat(set("192.0.2.1").contains("192.0.2.1")).isTrue();
    assertThat(set("192.0.2.1").contains("192.0.2.0")).isFalse();
    assertThat(set("192.0.2.1").contains("192.0.2.2")).isFalse();
    assertThat(set("2001:db8::1/128")).isEqualTo(set("2001:db8::1"));
    assertThat(set("2001:db8::1").contains("2001:db8:0:0:0:0:0:1")).isTrue();
    assertThat(set("2001:db8::1").contains("2001:db8::")).isFalse();
    assertThat(set("2001:db8::1").contains("2001:db8::2")).isFalse();
  }

  @Test
  void ipv4MappedIpv6AddressesAreTheirIpv4Address() {
    assertThat(set("192.0.2.0/24").contains("::ffff:192.0.2.77")).isTrue();
    assertThat(set("192.0.2.0/24").contains("::ffff:c000:24d")).isTrue();
    assertThat(set("::ffff:192.0.2.0/120").contains("192.0.2.255")).isTrue();
    assertThat(set("::ffff:192.0.2.0/120").contains("192.0.3.0")).isFalse();
    assertThat(set("::ffff:0:0/96")).isEqualTo(set("0.0.0.0/0"));
    assertThat(set("::ffff:192.0.2.1")).isEqualTo(set("192.0.2.1/32"));
  }

  @Test
  void anIpv4CompatibleAddressIsIpv6InBothSpellingsAndNeverItsIpv4Twin() {
    // ::192.0.2.1 and ::c000:201 are the same 128 bits (RFC 4291 section 2.2): one answer for
    // both, and neither is the IPv4 address 192.0.2.1 (that is ::ffff:192.0.2.1).
    CidrSet v4 = set("192.0.2.0/24");
    assertThat(v4.contains("::192.0.2.1")).isFalse();
    assertThat(v4.contains("::c000:201")).isFalse();
    CidrSet compatible = set("::192.0.2.0/120");
    assertThat(compatible).isEqualTo(set("::c000:200/120"));
    assertThat(compatible.contains("::c000:201")).isTrue();
    assertThat(compatible.contains("::192.0.2.1")).isTrue();
    assertThat(compatible.contains("192.0.2.1")).isFalse();
    assertThat(compatible.contains("::ffff:192.0.2.1")).isFalse();
  }

  @Test
  void leadingZerosInAnIpv4PartAreNeitherARangeNorAMember() {
    // 010.0.0.1 is 8.0.0.1 to inet_aton and 10.0.0.1 to others: refused rather than guessed.
    assertThat(CidrSet.isValid("010.0.0.0/8")).isFalse();
    assertThat(CidrSet.isValid("::ffff:010.0.0.0/104")).isFalse();
    CidrSet ten = set("10.0.0.0/8", "8.0.0.0/8");
    assertThat(ten.contains("010.0.0.1")).isFalse();
    assertThat(ten.contains("10.0.0.01")).isFalse();
    assertThat(ten.contains("::ffff:010.0.0.1")).isFalse();
    assertThat(ten.contains("10.0.0.1")).isTrue();
  }

  @Test
  void anIpv4MappedCidrMustNotSetHostBitsAboveTheIpv4Part() {
    // In IPv6 notation the prefix counts all 128 bits: /8 would cover far more than 10.0.0.0/8.
    assertThat(CidrSet.isValid("::ffff:10.0.0.0/104")).isTrue();
    assertThat(CidrSet.isValid("::ffff:10.0.0.0/8")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "/8",
        "10.0.0.0/",
        "10.0.0.0/33",
        "10.0.0.0/1000",
        "10.0.0.0/-1",
        "10.0.0.0/+8",
        "10.0.0.0/0x8",
        "10.0.0.0/\u0668", // an Arabic-Indic eight: Integer.parseInt would take it
        "10.0.0.0/ 8",
        "10.0.0.0 /8",
        "10.0.0.0/8/8",
        "10.0.0.1/8",
        "10.0.0/8",
        "10/8",
        "256.0.0.0/8",
        "1.2.3.4.5",
        "0x0a.0.0.1",
        "010.0.0.0/8",
        "10.0.0.00/32",
        "2001:db8::1/32",
        "2001:db8:::/48",
        "::/129",
        "fe80::1%eth0/64",
        "example.com",
        "localhost",
      })
  void malformedEntriesAreRefusedAndNamed(String cidr) {
    assertThat(CidrSet.isValid(cidr)).isFalse();
    assertThatThrownBy(() -> CidrSet.of(List.of("10.0.0.0/8", cidr)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cidr: " + cidr + " (expected: an address or CIDR)");
  }

  @Test
  void whatIsNotAnAddressLiteralIsNeverContained() {
    CidrSet all = set("::/0");
    assertThat(all.contains("")).isFalse();
    assertThat(all.contains("localhost")).isFalse();
    assertThat(all.contains("10.0.0.1:443")).isFalse();
    assertThat(all.contains("10.0.0.1/32")).isFalse();
    assertThat(all.contains("unknown")).isFalse();
  }

  @Test
  void theEmptySetHoldsNothing() {
    assertThat(CidrSet.empty().isEmpty()).isTrue();
    assertThat(CidrSet.of(List.of())).isSameAs(CidrSet.empty());
    assertThat(CidrSet.empty().contains("10.0.0.1")).isFalse();
    assertThat(CidrSet.empty().contains(new byte[16])).isFalse();
  }

  @Test
  void overlappingAndAdjacentRangesMergeIntoTheSameSet() {
    assertThat(set("10.0.0.0/8", "10.1.0.0/16", "10.1.2.3")).isEqualTo(set("10.0.0.0/8"));
    assertThat(set("10.1.0.0/16", "10.0.0.0/8")).isEqualTo(set("10.0.0.0/8"));
    assertThat(set("10.0.0.0/8", "10.0.0.0/8")).isEqualTo(set("10.0.0.0/8"));
    CidrSet halves = set("10.0.0.128/25", "10.0.0.0/25");
    assertThat(halves.contains("10.0.0.127")).isTrue();
    assertThat(halves.contains("10.0.0.128")).isTrue();
    assertThat(halves.contains("10.0.1.0")).isFalse();
    assertThat(set("2001:db8::/32", "2001:db8:1::/48", "10.0.0.0/8"))
        .isEqualTo(set("10.0.0.0/8", "2001:db8::/32"));
  }

  @Test
  void firstOverlapNamesTwoEntriesWhereOneHoldsTheOther() {
    assertThat(CidrSet.firstOverlap(List.of("10.0.0.0/8", "192.0.2.0/24", "10.1.0.0/16")))
        .containsExactly(0, 2);
    assertThat(CidrSet.firstOverlap(List.of("10.1.0.0/16", "10.0.0.0/8"))).containsExactly(0, 1);
    assertThat(CidrSet.firstOverlap(List.of("192.0.2.1", "192.0.2.1/32"))).containsExactly(0, 1);
    assertThat(CidrSet.firstOverlap(List.of("2001:db8::/32", "2001:db8:1::/48")))
        .containsExactly(0, 1);
  }

  @Test
  void firstOverlapIgnoresAdjacentRangesMalformedEntriesAndTheOtherFamily() {
    assertThat(CidrSet.firstOverlap(List.of("10.0.0.0/25", "10.0.0.128/25"))).isNull();
    assertThat(CidrSet.firstOverlap(List.of("10.0.0.0/8", "nonsense", "10.0.0.1/8"))).isNull();
    // "::/0" beside "0.0.0.0/0" means every address of both families, not a mistake.
    assertThat(CidrSet.firstOverlap(List.of("0.0.0.0/0", "::/0"))).isNull();
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42, 20261207})
  void lookupAgreesWithCheckingEveryRangeOneByOne(long seed) {
    Random random = new Random(seed);
    for (int round = 0; round < 40; round++) {
      List<Cidr> cidrs = new ArrayList<>();
      int size = 1 + random.nextInt(30);
      for (int i = 0; i < size; i++) {
        cidrs.add(random.nextInt(3) == 0 ? Cidr.randomV6(random) : Cidr.randomV4(random));
      }
      CidrSet s = CidrSet.of(cidrs.stream().map(Cidr::text).toList());
      List<BigInteger> probes = new ArrayList<>();
      for (Cidr c : cidrs) {
        probes.add(c.first().subtract(BigInteger.ONE));
        probes.add(c.first());
        probes.add(c.last());
        probes.add(c.last().add(BigInteger.ONE));
      }
      for (int i = 0; i < 200; i++) {
        probes.add(random.nextBoolean() ? Cidr.randomV4(random).first() : randomV6Address(random));
      }
      for (BigInteger address : probes) {
        boolean expected = cidrs.stream().anyMatch(c -> c.holds(address));
        assertThat(s.contains(bytes(address)))
            .as("seed %d, %s in %s", seed, literal(address), cidrs)
            .isEqualTo(expected);
        assertThat(s.contains(literal(address)))
            .as("seed %d, literal %s in %s", seed, literal(address), cidrs)
            .isEqualTo(expected);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42, 20261207})
  void firstOverlapAgreesWithComparingEveryPair(long seed) {
    Random random = new Random(seed);
    for (int round = 0; round < 200; round++) {
      List<Cidr> cidrs = new ArrayList<>();
      int size = 1 + random.nextInt(8);
      for (int i = 0; i < size; i++) {
        cidrs.add(random.nextBoolean() ? Cidr.randomV6(random) : Cidr.randomV4(random));
      }
      boolean anyPair = false;
      for (int i = 0; i < size; i++) {
        for (int j = i + 1; j < size; j++) {
          anyPair |= cidrs.get(i).overlaps(cidrs.get(j));
        }
      }
      int[] found = CidrSet.firstOverlap(cidrs.stream().map(Cidr::text).toList());
      assertThat(found != null).as("seed %d, %s", seed, cidrs).isEqualTo(anyPair);
      if (found != null) {
        assertThat(found[0]).isLessThan(found[1]);
        assertThat(cidrs.get(found[0]).overlaps(cidrs.get(found[1])))
            .as("seed %d, %s names %s", seed, cidrs, Arrays.toString(found))
            .isTrue();
      }
    }
  }

  /** A CIDR as the model sees it: a 128-bit network (IPv4 mapped) and a prefix over 128 bits. */
  private record Cidr(BigInteger network, int bits, String text) {
    /** IPv4 ranges packed into 10.0.0.0/16 so that they often overlap; prefixes 16 to 32. */
    static Cidr randomV4(Random random) {
      int prefix = 16 + random.nextInt(17);
      long value = (10L << 24) | random.nextInt(1 << 16);
      long network = value & (0xffffffffL << (32 - prefix)) & 0xffffffffL;
      String dotted = dotted(network);
      String text = prefix == 32 && random.nextBoolean() ? dotted : dotted + "/" + prefix;
      return new Cidr(V4_MAPPED.or(BigInteger.valueOf(network)), prefix + 96, text);
    }

    /** IPv6 ranges whose prefixes end on either side of the 64-bit seam, or near the end. */
    static Cidr randomV6(Random random) {
      int prefix = random.nextBoolean() ? 56 + random.nextInt(17) : 120 + random.nextInt(9);
      BigInteger network = randomV6Address(random).and(mask(prefix));
      String hex = hexGroups(network);
      String text = prefix == 128 && random.nextBoolean() ? hex : hex + "/" + prefix;
      return new Cidr(network, prefix, text);
    }

    BigInteger first() {
      return network;
    }

    BigInteger last() {
      return network.or(mask(bits).xor(ALL_128));
    }

    boolean holds(BigInteger address) {
      return address.and(mask(bits)).equals(network);
    }

    boolean overlaps(Cidr other) {
      boolean sameFamily = text.contains(":") == other.text.contains(":");
      return sameFamily && (holds(other.network) || other.holds(network));
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /**
   * 2001:db8:0:XX:YY00:0:0:ZZ or fe80:0:0:XX:YY00:0:0:ZZ (whose first bit is set, so a signed
   * comparison would misorder it) with random XX, YY and ZZ: the bits on both sides of the seam.
   */
  private static BigInteger randomV6Address(Random random) {
    long base = random.nextBoolean() ? 0x20010db800000000L : 0xfe80000000000000L;
    long hi = base | random.nextInt(256);
    long lo = ((long) random.nextInt(256) << 56) | random.nextInt(256);
    return unsigned(hi).shiftLeft(64).or(unsigned(lo));
  }

  private static BigInteger unsigned(long v) {
    return new BigInteger(Long.toUnsignedString(v));
  }

  private static BigInteger mask(int bits) {
    return bits == 0 ? BigInteger.ZERO : ALL_128.shiftRight(128 - bits).shiftLeft(128 - bits);
  }

  private static byte[] bytes(BigInteger address) {
    byte[] raw = address.toByteArray();
    byte[] out = new byte[16];
    int n = Math.min(raw.length, 16);
    System.arraycopy(raw, raw.length - n, out, 16 - n, n);
    return out;
  }

  private static String literal(BigInteger address) {
    boolean v4 = address.shiftRight(32).equals(BigInteger.valueOf(0xffffL));
    return v4 ? dotted(address.longValue() & 0xffffffffL) : hexGroups(address);
  }

  private static String dotted(long v) {
    return (v >>> 24) + "." + ((v >>> 16) & 255) + "." + ((v >>> 8) & 255) + "." + (v & 255);
  }

  private static String hexGroups(BigInteger address) {
    StringBuilder sb = new StringBuilder();
    for (int i = 7; i >= 0; i--) {
      sb.append(Integer.toHexString(address.shiftRight(16 * i).intValue() & 0xffff));
      if (i > 0) {
        sb.append(':');
      }
    }
    return sb.toString();
  }
}
