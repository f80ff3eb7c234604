package dev.bulwark.policy.contract;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A {@code pattern} that is a sequence of literals and character classes, each with an optional
 * quantifier ({@code ?}, {@code *}, {@code +}, {@code {n}}, {@code {n,}}, {@code {n,m}}), between
 * an optional {@code ^} and {@code $}, such as {@code ^SKU-[0-9]{6}$}: compiled at load into a
 * bit-parallel automaton of at most 62 positions that finds a match in one pass over the input
 * (linear by construction, no allocation). {@link #compile} returns null for anything else (groups,
 * alternation, flags, non-ASCII literals, Unicode classes, ...), which then runs on RE2J. Matching
 * follows RE2J's semantics for what it accepts: {@code .} is any code point but {@code \n}, negated
 * classes include {@code \n}, {@code \d \w \s} are ASCII, and {@code $} is the end of the input.
 */
final class LinearPattern {
  private static final int MAX_POSITIONS = 62;

  /** Bit {@code k + 1} is set in {@code ascii[c]} when position {@code k} accepts character c. */
  private final long[] ascii;

  /** The positions that accept every code point above U+007F. */
  private final long nonAscii;

  /** The positions that may be skipped ({@code ?}, {@code *}, and the optional part of m..n). */
  private final long optional;

  /** The positions that may repeat ({@code *}, {@code +}, {@code {n,}}). */
  private final long loop;

  private final long accept;

  /**
   * For an anchored pattern with nothing optional: its number of positions, the shortest match (a
   * repeating position only makes matches longer), so an input of at most that many code points
   * matches exactly when each one is in its position's class. Else -1.
   */
  private final int fixedLength;

  private final boolean anchoredStart;
  private final boolean anchoredEnd;

  private LinearPattern(
      long[] ascii,
      long nonAscii,
      long optional,
      long loop,
      int positions,
      boolean anchoredStart,
      boolean anchoredEnd) {
    this.ascii = ascii;
    this.nonAscii = nonAscii;
    this.optional = optional;
    this.loop = loop;
    this.accept = 1L << positions;
    this.fixedLength = anchoredStart && anchoredEnd && optional == 0 ? positions : -1;
    this.anchoredStart = anchoredStart;
    this.anchoredEnd = anchoredEnd;
  }

  /** One character class: 128 ASCII bits and whether all non-ASCII code points belong. */
  private record CharClass(long lo, long hi, boolean nonAscii) {
    boolean has(int c) {
      return c < 64 ? (lo & (1L << c)) != 0 : (hi & (1L << (c - 64))) != 0;
    }

    CharClass negate() {
      return new CharClass(~lo, ~hi, !nonAscii);
    }

    CharClass union(CharClass o) {
      return new CharClass(lo | o.lo, hi | o.hi, nonAscii || o.nonAscii);
    }

    static CharClass of(int c) {
      return range(c, c);
    }

    static CharClass range(int from, int to) {
      long lo = 0;
      long hi = 0;
      for (int c = from; c <= to; c++) {
        if (c < 64) {
          lo |= 1L << c;
        } else {
          hi |= 1L << (c - 64);
        }
      }
      return new CharClass(lo, hi, false);
    }
  }

  private static final CharClass DIGIT = CharClass.range('0', '9');
  private static final CharClass WORD =
      DIGIT
          .union(CharClass.range('A', 'Z'))
          .union(CharClass.range('a', 'z'))
          .union(CharClass.of('_'));
  private static final CharClass SPACE =
      CharClass.of('\t')
          .union(CharClass.of('\n'))
          .union(CharClass.of('\f'))
          .union(CharClass.of('\r'))
          .union(CharClass.of(' '));
  private static final CharClass NOT_NEWLINE = CharClass.of('\n').negate();

  private record Position(CharClass chars, boolean optional, boolean loop) {}

  /** Returns the linear form of a pattern, or null when it is not one (RE2J then runs it). */
  static @Nullable LinearPattern compile(String re) {
    try {
      return parse(re);
    } catch (IndexOutOfBoundsException | NumberFormatException e) {
      return null; // unusual syntax: RE2J decides
    }
  }

  private static @Nullable LinearPattern parse(String re) {
    int n = re.length();
    int i = 0;
    boolean start = false;
    boolean end = false;
    if (i < n && re.charAt(i) == '^') {
      start = true;
      i++;
    }
    List<Position> out = new ArrayList<>();
    while (i < n) {
      char c = re.charAt(i);
      CharClass cc;
      if (c == '$') {
        if (i != n - 1) {
          return null;
        }
        end = true;
        i++;
        break;
      } else if (c == '[') {
        int close = classEnd(re, i);
        if (close < 0) {
          return null;
        }
        cc = bracket(re, i + 1, close);
        i = close + 1;
      } else if (c == '\\') {
        cc = escape(re.charAt(i + 1), false);
        i += 2;
      } else if (c == '.') {
        cc = NOT_NEWLINE;
        i++;
      } else if (c >= 0x80 || "^()|*+?{}]".indexOf(c) >= 0) {
        return null;
      } else {
        cc = CharClass.of(c);
        i++;
      }
      if (cc == null) {
        return null;
      }
      int min = 1;
      int max = 1;
      if (i < n) {
        char q = re.charAt(i);
        if (q == '?' || q == '*' || q == '+') {
          min = q == '+' ? 1 : 0;
          max = q == '?' ? 1 : -1;
          i++;
        } else if (q == '{') {
          int close = re.indexOf('}', i);
          if (close < 0) {
            return null;
          }
          String body = re.substring(i + 1, close);
          int comma = body.indexOf(',');
          if (!body.matches("[0-9]{1,4}(,[0-9]{0,4})?")) {
            return null;
          }
          min = Integer.parseInt(comma < 0 ? body : body.substring(0, comma));
          max =
              comma < 0
                  ? min
                  : comma == body.length() - 1 ? -1 : Integer.parseInt(body.substring(comma + 1));
          if (max >= 0 && max < min) {
            return null;
          }
          i = close + 1;
        }
        if (i < n && "?*+{".indexOf(re.charAt(i)) >= 0) {
          return null; // lazy or nested quantifiers: leave them to RE2J
        }
      }
      int copies = Math.max(min, 1) + (max < 0 ? 0 : max - Math.max(min, 1));
      if (max == 0) {
        copies = 0;
      }
      if (out.size() + copies > MAX_POSITIONS) {
        return null;
      }
      for (int k = 0; k < copies; k++) {
        boolean opt = k >= min;
        boolean rep = max < 0 && k == copies - 1;
        out.add(new Position(cc, opt, rep));
      }
    }
    long[] ascii = new long[128];
    long nonAscii = 0;
    long optional = 0;
    long loop = 0;
    for (int k = 0; k < out.size(); k++) {
      Position p = out.get(k);
      long bit = 1L << (k + 1);
      for (int c = 0; c < 128; c++) {
        if (p.chars.has(c)) {
          ascii[c] |= bit;
        }
      }
      nonAscii |= p.chars.nonAscii ? bit : 0;
      optional |= p.optional ? bit : 0;
      loop |= p.loop ? bit : 0;
    }
    return new LinearPattern(ascii, nonAscii, optional, loop, out.size(), start, end);
  }

  /** Returns the index of the {@code ]} closing a class opened at {@code open}, or -1. */
  private static int classEnd(String re, int open) {
    int i = open + 1;
    if (i < re.length() && re.charAt(i) == '^') {
      i++;
    }
    if (i < re.length() && re.charAt(i) == ']') {
      return -1; // a leading ']' is a literal in RE2 syntax: leave it to RE2J
    }
    for (; i < re.length(); i++) {
      char c = re.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '[') {
        return -1; // POSIX classes such as [[:alpha:]]
      } else if (c == ']') {
        return i;
      }
    }
    return -1;
  }

  private static @Nullable CharClass bracket(String re, int from, int to) {
    boolean negated = from < to && re.charAt(from) == '^';
    int i = negated ? from + 1 : from;
    if (i == to) {
      return null;
    }
    CharClass acc = new CharClass(0, 0, false);
    while (i < to) {
      char c = re.charAt(i);
      int lo;
      if (c == '\\') {
        CharClass e = escape(re.charAt(i + 1), true);
        if (e == null) {
          return null;
        }
        i += 2;
        int single = single(e);
        if (single < 0) {
          acc = acc.union(e);
          continue;
        }
        lo = single;
      } else if (c >= 0x80) {
        return null;
      } else {
        lo = c;
        i++;
      }
      if (i + 1 < to && re.charAt(i) == '-') {
        char h = re.charAt(i + 1);
        int hi;
        if (h == '\\') {
          CharClass e = escape(re.charAt(i + 2), true);
          hi = e == null ? -1 : single(e);
          i += 3;
        } else {
          hi = h < 0x80 ? h : -1;
          i += 2;
        }
        if (hi < lo) {
          return null;
        }
        acc = acc.union(CharClass.range(lo, hi));
      } else {
        acc = acc.union(CharClass.of(lo));
      }
    }
    return negated ? acc.negate() : acc;
  }

  /** Returns the one ASCII character a class holds, or -1. */
  private static int single(CharClass c) {
    if (c.nonAscii || Long.bitCount(c.lo) + Long.bitCount(c.hi) != 1) {
      return -1;
    }
    return c.lo != 0 ? Long.numberOfTrailingZeros(c.lo) : 64 + Long.numberOfTrailingZeros(c.hi);
  }

  private static @Nullable CharClass escape(char e, boolean inClass) {
    return switch (e) {
      case 'd' -> DIGIT;
      case 'D' -> inClass ? null : DIGIT.negate();
      case 'w' -> WORD;
      case 'W' -> inClass ? null : WORD.negate();
      case 's' -> SPACE;
      case 'S' -> inClass ? null : SPACE.negate();
      case 'n' -> CharClass.of('\n');
      case 't' -> CharClass.of('\t');
      case 'r' -> CharClass.of('\r');
      case 'f' -> CharClass.of('\f');
      default -> e < 0x80 && isPunct(e) ? CharClass.of(e) : null;
    };
  }

  private static boolean isPunct(char c) {
    return "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".indexOf(c) >= 0;
  }

  /** Returns whether the pattern matches somewhere in {@code s} (RE2J's {@code find()}). */
  boolean find(CharSequence s) {
    long d = start();
    if (!anchoredEnd && (d & accept) != 0) {
      return true;
    }
    int n = s.length();
    for (int i = 0; i < n; ) {
      int c = Character.codePointAt(s, i);
      i += Character.charCount(c);
      d = step(d, c < 128 ? ascii[c] : nonAscii);
      if (d == 0) {
        return false;
      }
      if (!anchoredEnd && (d & accept) != 0) {
        return true;
      }
    }
    return (d & accept) != 0;
  }

  /**
   * Returns whether the pattern matches somewhere in the well-formed UTF-8 bytes {@code
   * b[from..to)}: every multi-byte sequence is one non-ASCII code point.
   */
  boolean findUtf8(byte[] b, int from, int to) {
    int fixed = fixedLength;
    if (fixed >= 0 && to - from <= fixed) {
      // Fewer bytes than positions cannot match; as many must be ASCII (a non-ASCII byte would
      // make the code points fewer) with each one in its position's class.
      if (to - from < fixed) {
        return false;
      }
      for (int k = 0; k < fixed; k++) {
        int c = b[from + k];
        if (c < 0 || (ascii[c] & (2L << k)) == 0) {
          return false;
        }
      }
      return true;
    }
    long d = start();
    if (!anchoredEnd && (d & accept) != 0) {
      return true;
    }
    for (int i = from; i < to; i++) {
      int c = b[i];
      long mask;
      if (c >= 0) {
        mask = ascii[c];
      } else if ((c & 0xC0) == 0xC0) {
        mask = nonAscii; // a lead byte; its continuation bytes are skipped
      } else {
        continue;
      }
      d = step(d, mask);
      if (d == 0) {
        return false;
      }
      if (!anchoredEnd && (d & accept) != 0) {
        return true;
      }
    }
    return (d & accept) != 0;
  }

  private long start() {
    return close(1L);
  }

  private long step(long d, long mask) {
    long next = ((d << 1) | (d & loop)) & mask;
    if (!anchoredStart) {
      next |= 1L;
    }
    return close(next);
  }

  /** Adds the positions reached by skipping optional ones. */
  private long close(long d) {
    long opt = optional;
    if (opt == 0) {
      return d;
    }
    for (long x = (d << 1) & opt & ~d; x != 0; x = (x << 1) & opt & ~d) {
      d |= x;
    }
    return d;
  }
}
