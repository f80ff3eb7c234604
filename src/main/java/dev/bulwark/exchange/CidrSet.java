package dev.bulwark.exchange;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An immutable set of IPv4 and IPv6 address ranges compiled into sorted, merged arrays so that
 * membership is a binary search; IPv4 ranges are held as IPv4-mapped IPv6.
 */
public final class CidrSet {
  private static final CidrSet EMPTY =
      new CidrSet(new long[0], new long[0], new long[0], new long[0], List.of());

  private final long[] startHi;
  private final long[] startLo;
  private final long[] endHi;
  private final long[] endLo;
  private final List<String> source;

  private CidrSet(long[] startHi, long[] startLo, long[] endHi, long[] endLo, List<String> source) {
    this.startHi = startHi;
    this.startLo = startLo;
    this.endHi = endHi;
    this.endLo = endLo;
    this.source = source;
  }

  /** Returns the empty set. */
  public static CidrSet empty() {
    return EMPTY;
  }

  /** One parsed range before compilation. */
  record Range(long startHi, long startLo, long endHi, long endLo) {}

  /**
   * Parses one CIDR ({@code 10.0.0.0/8}, {@code 2001:db8::/32}) or single address into a range, or
   * returns null when it is malformed or has host bits set.
   */
  static @Nullable Range parseRange(String cidr) {
    String text = cidr.trim();
    int slash = text.indexOf('/');
    String address = slash < 0 ? text : text.substring(0, slash);
    byte[] a = IpAddresses.parse(address);
    if (a == null) {
      return null;
    }
    boolean v4 = address.indexOf(':') < 0;
    int max = v4 ? 32 : 128;
    int prefix = max;
    if (slash >= 0) {
      String p = text.substring(slash + 1);
      if (!p.matches("\\d{1,3}")) {
        return null;
      }
      prefix = Integer.parseInt(p);
      if (prefix > max) {
        return null;
      }
    }
    int bits = v4 ? prefix + 96 : prefix;
    long hi = IpAddresses.high(a);
    long lo = IpAddresses.low(a);
    long maskHi = bits >= 64 ? -1L : (bits == 0 ? 0L : -1L << (64 - bits));
    long maskLo = bits <= 64 ? 0L : (bits == 128 ? -1L : -1L << (128 - bits));
    if ((hi & ~maskHi) != 0 || (lo & ~maskLo) != 0) {
      return null;
    }
    return new Range(hi, lo, hi | ~maskHi, lo | ~maskLo);
  }

  /**
   * Returns the positions {@code {i, j}} (i before j) of two well-formed CIDRs of the list that
   * overlap (CIDRs overlap only by one containing the other), or null when none do; malformed
   * entries are skipped.
   */
  public static int @Nullable [] firstOverlap(List<String> cidrs) {
    int[] v4 = firstOverlap(cidrs, true);
    return v4 != null ? v4 : firstOverlap(cidrs, false);
  }

  /**
   * Looks within one family only: {@code ::/0} holds the IPv4-mapped range, yet listing it beside
   * {@code 0.0.0.0/0} means "every IPv6 and every IPv4 address", not a mistake.
   */
  private static int @Nullable [] firstOverlap(List<String> cidrs, boolean v4) {
    List<Integer> order = new ArrayList<>();
    List<@Nullable Range> ranges = new ArrayList<>();
    for (int i = 0; i < cidrs.size(); i++) {
      String c = cidrs.get(i);
      Range r = (c.indexOf(':') < 0) == v4 ? parseRange(c) : null;
      ranges.add(r);
      if (r != null) {
        order.add(i);
      }
    }
    order.sort(
        (x, y) -> {
          Range a = java.util.Objects.requireNonNull(ranges.get(x));
          Range b = java.util.Objects.requireNonNull(ranges.get(y));
          int c = compare(a.startHi(), a.startLo(), b.startHi(), b.startLo());
          return c != 0 ? c : compare(b.endHi(), b.endLo(), a.endHi(), a.endLo());
        });
    int widest = -1;
    Range w = null;
    for (int i : order) {
      Range r = java.util.Objects.requireNonNull(ranges.get(i));
      if (w != null && compare(r.startHi(), r.startLo(), w.endHi(), w.endLo()) <= 0) {
        return new int[] {Math.min(widest, i), Math.max(widest, i)};
      }
      if (w == null || compare(r.endHi(), r.endLo(), w.endHi(), w.endLo()) > 0) {
        widest = i;
        w = r;
      }
    }
    return null;
  }

  /** Returns whether a CIDR string is well formed. */
  public static boolean isValid(String cidr) {
    return parseRange(cidr) != null;
  }

  /**
   * Compiles well-formed CIDRs into a set; throws {@link IllegalArgumentException} naming the first
   * malformed one (validation reports them with paths before this is called).
   */
  public static CidrSet of(List<String> cidrs) {
    if (cidrs.isEmpty()) {
      return EMPTY;
    }
    List<Range> ranges = new ArrayList<>(cidrs.size());
    for (String c : cidrs) {
      Range r = parseRange(c);
      if (r == null) {
        throw new IllegalArgumentException("cidr: " + c + " (expected: an address or CIDR)");
      }
      ranges.add(r);
    }
    Comparator<Range> byStart =
        (x, y) -> {
          int c = Long.compareUnsigned(x.startHi(), y.startHi());
          return c != 0 ? c : Long.compareUnsigned(x.startLo(), y.startLo());
        };
    ranges.sort(byStart);
    List<Range> merged = new ArrayList<>();
    for (Range r : ranges) {
      if (!merged.isEmpty()) {
        Range last = merged.get(merged.size() - 1);
        if (compare(r.startHi(), r.startLo(), last.endHi(), last.endLo()) <= 0) {
          if (compare(r.endHi(), r.endLo(), last.endHi(), last.endLo()) > 0) {
            merged.set(
                merged.size() - 1, new Range(last.startHi(), last.startLo(), r.endHi(), r.endLo()));
          }
          continue;
        }
      }
      merged.add(r);
    }
    int n = merged.size();
    long[] sh = new long[n];
    long[] sl = new long[n];
    long[] eh = new long[n];
    long[] el = new long[n];
    for (int i = 0; i < n; i++) {
      Range r = merged.get(i);
      sh[i] = r.startHi();
      sl[i] = r.startLo();
      eh[i] = r.endHi();
      el[i] = r.endLo();
    }
    return new CidrSet(sh, sl, eh, el, List.copyOf(cidrs));
  }

  /** Returns whether the set holds no range. */
  public boolean isEmpty() {
    return startHi.length == 0;
  }

  /** Returns whether the address (16-byte form) lies in one of the ranges. */
  public boolean contains(byte[] a16) {
    if (startHi.length == 0) {
      return false;
    }
    long hi = IpAddresses.high(a16);
    long lo = IpAddresses.low(a16);
    int low = 0;
    int high = startHi.length - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      if (compare(startHi[mid], startLo[mid], hi, lo) > 0) {
        high = mid - 1;
      } else if (compare(endHi[mid], endLo[mid], hi, lo) < 0) {
        low = mid + 1;
      } else {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the first range as written that holds the address (16-byte form), or null; it parses
   * the ranges again, so it serves decision traces, never the request path.
   */
  public @Nullable String matching(byte[] a16) {
    long hi = IpAddresses.high(a16);
    long lo = IpAddresses.low(a16);
    for (String cidr : source) {
      Range r = parseRange(cidr);
      if (r != null
          && compare(r.startHi(), r.startLo(), hi, lo) <= 0
          && compare(r.endHi(), r.endLo(), hi, lo) >= 0) {
        return cidr;
      }
    }
    return null;
  }

  /** Returns whether the address literal lies in one of the ranges (false when not a literal). */
  public boolean contains(String literal) {
    if (startHi.length == 0) {
      return false;
    }
    byte[] a = IpAddresses.parse(literal);
    return a != null && contains(a);
  }

  private static int compare(long aHi, long aLo, long bHi, long bLo) {
    int c = Long.compareUnsigned(aHi, bHi);
    return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
  }

  @Override
  public String toString() {
    return source.toString() + " (" + startHi.length + " ranges)";
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof CidrSet c
        && Arrays.equals(startHi, c.startHi)
        && Arrays.equals(startLo, c.startLo)
        && Arrays.equals(endHi, c.endHi)
        && Arrays.equals(endLo, c.endLo);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(startLo) * 31 + Arrays.hashCode(endLo);
  }
}
