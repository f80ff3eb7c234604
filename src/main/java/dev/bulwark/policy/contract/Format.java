package dev.bulwark.policy.contract;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The {@code format} values that are checked; any other format is an annotation only (as JSON
 * Schema says) and is reported by the lint.
 */
enum Format {
  DATE,
  DATE_TIME,
  UUID,
  EMAIL,
  IPV4,
  IPV6,
  INT32,
  INT64,
  BYTE;

  private static final BigDecimal INT32_MIN = BigDecimal.valueOf(Integer.MIN_VALUE);
  private static final BigDecimal INT32_MAX = BigDecimal.valueOf(Integer.MAX_VALUE);
  private static final BigDecimal INT64_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal INT64_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  /** Returns the checked format of a name, or null when the name is an annotation only. */
  static @Nullable Format of(String name) {
    return switch (name) {
      case "date" -> DATE;
      case "date-time" -> DATE_TIME;
      case "uuid" -> UUID;
      case "email" -> EMAIL;
      case "ipv4" -> IPV4;
      case "ipv6" -> IPV6;
      case "int32" -> INT32;
      case "int64" -> INT64;
      case "byte" -> BYTE;
      default -> null;
    };
  }

  String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Returns whether a number has this format (only int32/int64 constrain numbers). */
  boolean acceptsNumber(BigDecimal v) {
    return switch (this) {
      case INT32 -> v.compareTo(INT32_MIN) >= 0 && v.compareTo(INT32_MAX) <= 0;
      case INT64 -> v.compareTo(INT64_MIN) >= 0 && v.compareTo(INT64_MAX) <= 0;
      default -> true;
    };
  }

  /** Returns whether a string has this format. */
  boolean acceptsString(String s) {
    try {
      return switch (this) {
        case DATE -> s.length() == 10 && LocalDate.parse(s) != null;
        case DATE_TIME ->
            s.length() <= 64 && OffsetDateTime.parse(s.toUpperCase(Locale.ROOT)) != null;
        case UUID -> isUuid(s);
        case EMAIL -> isEmail(s);
        case IPV4 -> isIpv4(s);
        case IPV6 -> isIpv6(s);
        case BYTE -> isBase64(s);
        default -> true;
      };
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  private static boolean isUuid(String s) {
    if (s.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(i);
      boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? c != '-' : Character.digit(c, 16) < 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean isEmail(String s) {
    int at = s.indexOf('@');
    if (at <= 0 || at != s.lastIndexOf('@') || at == s.length() - 1 || s.length() > 254) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == ',') {
        return false;
      }
    }
    String domain = s.substring(at + 1);
    return domain.indexOf('.') > 0 && !domain.endsWith(".") && !domain.contains("..");
  }

  static boolean isIpv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
        return false;
      }
      for (int i = 0; i < p.length(); i++) {
        if (p.charAt(i) < '0' || p.charAt(i) > '9') {
          return false;
        }
      }
      if (Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  private static boolean isIpv6(String s) {
    if (s.isEmpty() || s.length() > 45) {
      return false;
    }
    String head = s;
    int groupsNeeded = 8;
    int lastColon = s.lastIndexOf(':');
    if (s.indexOf('.') >= 0) {
      if (lastColon < 0 || !isIpv4(s.substring(lastColon + 1))) {
        return false;
      }
      head = s.substring(0, lastColon + 1) + "0";
      groupsNeeded = 7;
    }
    int dc = head.indexOf("::");
    if (dc >= 0 && head.indexOf("::", dc + 1) >= 0) {
      return false;
    }
    String[] left;
    String[] right;
    if (dc >= 0) {
      String l = head.substring(0, dc);
      String r = head.substring(dc + 2);
      left = l.isEmpty() ? new String[0] : l.split(":", -1);
      right = r.isEmpty() ? new String[0] : r.split(":", -1);
      if (left.length + right.length >= groupsNeeded) {
        return false;
      }
    } else {
      left = head.split(":", -1);
      right = new String[0];
      if (left.length != groupsNeeded) {
        return false;
      }
    }
    for (String[] side : new String[][] {left, right}) {
      for (String g : side) {
        if (g.isEmpty() || g.length() > 4) {
          return false;
        }
        for (int i = 0; i < g.length(); i++) {
          if (Character.digit(g.charAt(i), 16) < 0) {
            return false;
          }
        }
      }
    }
    return true;
  }

  private static boolean isBase64(String s) {
    if (s.length() % 4 != 0) {
      return false;
    }
    int pad = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '=') {
        pad++;
        if (i < s.length() - 2) {
          return false;
        }
      } else if (pad > 0
          || !((c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '+'
              || c == '/')) {
        return false;
      }
    }
    return true;
  }
}
