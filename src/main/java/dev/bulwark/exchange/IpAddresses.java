package dev.bulwark.exchange;

import io.netty.util.NetUtil;
import org.jspecify.annotations.Nullable;

/**
 * Parses IP address literals (never a DNS lookup) into 16-byte form, IPv4 as IPv4-mapped IPv6.
 * Strict, so that one address has one reading: an IPv4 part is four decimal numbers 0-255 without
 * leading zeros ({@code 010.0.0.1} is refused, since other parsers read {@code 010} as octal 8); an
 * IPv6 address follows RFC 4291 §2.2, and its embedded IPv4 form names the same bits as the hex
 * form ({@code ::192.0.2.1} is {@code ::c000:201}, an IPv6 address; {@code ::ffff:192.0.2.1} is
 * {@code ::ffff:c000:201}, the IPv4 address 192.0.2.1).
 */
public final class IpAddresses {
  private IpAddresses() {}

  /** Returns the 16-byte form of an IPv4 or IPv6 literal, or null when it is not one. */
  public static byte @Nullable [] parse(String literal) {
    String s = literal;
    if (s.length() > 2 && s.charAt(0) == '[' && s.charAt(s.length() - 1) == ']') {
      s = s.substring(1, s.length() - 1);
    }
    int zone = s.indexOf('%');
    if (zone >= 0) {
      s = s.substring(0, zone);
    }
    if (s.indexOf(':') >= 0) {
      return parseV6(s);
    }
    byte[] a16 = new byte[16];
    if (!parseV4(s, 0, s.length(), a16, 12)) {
      return null;
    }
    a16[10] = (byte) 0xff;
    a16[11] = (byte) 0xff;
    return a16;
  }

  /**
   * Reads a dotted quad from {@code s[from, to)} into {@code out[at, at + 4)}: four decimal numbers
   * of 1 to 3 digits, each at most 255, none with a leading zero.
   */
  private static boolean parseV4(String s, int from, int to, byte[] out, int at) {
    int part = 0;
    int value = 0;
    int digits = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '.') {
        if (digits == 0 || part == 3) {
          return false;
        }
        out[at + part++] = (byte) value;
        value = 0;
        digits = 0;
      } else if (c >= '0' && c <= '9') {
        if (digits > 0 && value == 0) {
          return false; // a leading zero: octal to some parsers, decimal to others
        }
        value = value * 10 + (c - '0');
        if (++digits > 3 || value > 255) {
          return false;
        }
      } else {
        return false;
      }
    }
    if (digits == 0 || part != 3) {
      return false;
    }
    out[at + 3] = (byte) value;
    return true;
  }

  /**
   * Reads an IPv6 address (RFC 4291 §2.2): eight groups of 1 to 4 hex digits, at most one {@code
   * ::} standing for one or more zero groups, and optionally a dotted quad as the last 32 bits.
   */
  private static byte @Nullable [] parseV6(String s) {
    int len = s.length();
    int[] groups = new int[8];
    int n = 0;
    int gap = -1;
    int i = 0;
    if (s.startsWith("::")) {
      gap = 0;
      i = 2;
    } else if (s.startsWith(":")) {
      return null;
    }
    while (i < len) {
      int start = i;
      int value = 0;
      while (i < len && Character.digit(s.charAt(i), 16) >= 0 && s.charAt(i) < 128) {
        value = (value << 4) | Character.digit(s.charAt(i), 16);
        i++;
        if (i - start > 4) {
          break; // a dotted quad may follow (three decimal digits fit); checked below
        }
      }
      if (i < len && s.charAt(i) == '.') {
        byte[] tail = new byte[4];
        if (n > 6 || !parseV4(s, start, len, tail, 0)) {
          return null;
        }
        groups[n++] = ((tail[0] & 0xff) << 8) | (tail[1] & 0xff);
        groups[n++] = ((tail[2] & 0xff) << 8) | (tail[3] & 0xff);
        i = len;
        break;
      }
      int digits = i - start;
      if (digits == 0 || digits > 4 || n == 8) {
        return null;
      }
      groups[n++] = value;
      if (i == len) {
        break;
      }
      if (s.charAt(i) != ':') {
        return null;
      }
      i++;
      if (i < len && s.charAt(i) == ':') {
        if (gap >= 0) {
          return null; // a second ::
        }
        gap = n;
        i++;
      } else if (i == len) {
        return null; // a single trailing colon
      }
    }
    if (gap < 0 ? n != 8 : n > 7) {
      return null;
    }
    byte[] a16 = new byte[16];
    int head = gap < 0 ? n : gap;
    for (int g = 0; g < head; g++) {
      a16[2 * g] = (byte) (groups[g] >>> 8);
      a16[2 * g + 1] = (byte) groups[g];
    }
    int tail = n - head;
    for (int g = 0; g < tail; g++) {
      int at = 8 - tail + g;
      a16[2 * at] = (byte) (groups[head + g] >>> 8);
      a16[2 * at + 1] = (byte) groups[head + g];
    }
    return a16;
  }

  /** Returns whether a 16-byte address is an IPv4(-mapped) address. */
  public static boolean isV4(byte[] a16) {
    for (int i = 0; i < 10; i++) {
      if (a16[i] != 0) {
        return false;
      }
    }
    return a16[10] == (byte) 0xff && a16[11] == (byte) 0xff;
  }

  /** Returns the canonical text of a 16-byte address (dotted quad for IPv4-mapped). */
  public static String format(byte[] a16) {
    if (isV4(a16)) {
      return (a16[12] & 0xff)
          + "."
          + (a16[13] & 0xff)
          + "."
          + (a16[14] & 0xff)
          + "."
          + (a16[15] & 0xff);
    }
    return NetUtil.bytesToIpAddress(a16);
  }

  static long high(byte[] a16) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (a16[i] & 0xff);
    }
    return v;
  }

  static long low(byte[] a16) {
    long v = 0;
    for (int i = 8; i < 16; i++) {
      v = (v << 8) | (a16[i] & 0xff);
    }
    return v;
  }
}
