package dev.bulwark.exchange;

import io.netty.util.NetUtil;
import org.jspecify.annotations.Nullable;

/** Parses IP address literals (never a DNS lookup) into 16-byte form, IPv4 as IPv4-mapped IPv6. */
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
    byte[] raw = NetUtil.createByteArrayFromIpAddressString(s);
    if (raw == null) {
      return null;
    }
    if (raw.length == 16) {
      return raw;
    }
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(raw, 0, mapped, 12, 4);
    return mapped;
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
