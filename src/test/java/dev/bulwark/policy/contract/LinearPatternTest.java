package dev.bulwark.policy.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The linear pattern matcher agrees with RE2J on every pattern it accepts: fixed patterns from the
 * tests, docs and benchmark, and random ones from the grammar it supports, each against random and
 * near-miss strings (fixed seeds, so a failure reproduces).
 */
class LinearPatternTest {
  /** Characters the random strings are made of: ASCII edges, newline, non-ASCII, astral. */
  private static final String[] ALPHABET = {
    "a", "b", "c", "z", "A", "K", "S", "U", "Z", "0", "1", "5", "9", "-", "_", " ", "\n", "\t",
    "\r", ".", "$", "^", "[", "]", "\\", "/", "é", "\u00a0", "\u2028", "😀", "\u007f", "\u0000",
    "{", "}"
  };

  private static LinearPattern linear(String re) {
    return Objects.requireNonNull(LinearPattern.compile(re), re);
  }

  private static void agree(String re, String s) {
    agree(re, Pattern.compile(re), linear(re), s);
  }

  private static void agree(String re, Pattern re2, LinearPattern lp, String s) {
    boolean expected = re2.matcher(s).find();
    assertThat(lp.find(s)).as("/%s/ on \"%s\"", re, s).isEqualTo(expected);
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    byte[] framed = new byte[utf8.length + 2];
    framed[0] = '"';
    System.arraycopy(utf8, 0, framed, 1, utf8.length);
    framed[framed.length - 1] = '"';
    assertThat(lp.findUtf8(framed, 1, framed.length - 1))
        .as("/%s/ on UTF-8 \"%s\"", re, s)
        .isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "^SKU-[0-9]{6}$",
        "^[A-Z]{2}$",
        "^[A-Z]{3}-[0-9]{4}$",
        "^c-[0-9]{1,12}$",
        "^[a-z]+$",
        "[a-z]+",
        "^abc",
        "abc$",
        "b",
        "",
        "^$",
        "^",
        "$",
        "a*",
        "^a?b?c?$",
        "^a{0}b$",
        "^a{2,}$",
        "^a{0,3}$",
        "^.{2,4}$",
        "^\\d+\\.\\d{2}$",
        "^\\w+@\\w+\\.[a-z]{2,}$",
        "^\\s*x\\s*$",
        "^\\D\\W\\S$",
        "^[^a-c]+$",
        "^[^\\d]$",
        "^[\\d-z]+$",
        "^[a-]$",
        "^[-a]$",
        "^[a\\-z]$",
        "^[\\]\\[]$",
        "^[\\\\]$",
        "^[\\n\\t]$",
        "\\$\\^\\.",
        "^[.]$",
        "^a.c$",
        "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}$",
        "^[A-Za-z0-9+/]*={0,2}$",
        "^ *$",
        "^a+b*a+$",
        "^(?:a)$"
      })
  void agreesWithRe2jOnFixedPatterns(String re) {
    if (LinearPattern.compile(re) == null) {
      assertThat(re).isEqualTo("^(?:a)$"); // the one unsupported pattern in the list
      return;
    }
    Random rnd = new Random(re.hashCode());
    for (String s : samples(re)) {
      agree(re, s);
    }
    for (int i = 0; i < 3000; i++) {
      agree(re, randomString(rnd, 10));
    }
  }

  /** Strings near the fixed patterns' languages, which random strings rarely reach. */
  private static List<String> samples(String re) {
    List<String> s =
        new ArrayList<>(
            List.of(
                "",
                "SKU-123456",
                "SKU-12345",
                "SKU-1234567",
                "xSKU-123456",
                "SKU-123456\n",
                "GB",
                "G",
                "GBR",
                "gb",
                "ABC-1234",
                "c-1",
                "c-123456789012",
                "c-1234567890123",
                "c-",
                "abc",
                "aabbcc",
                "a.c",
                "a\nc",
                "12.50",
                "1.5",
                "ada@example.com",
                " x ",
                "\tx\n",
                "x",
                "aaa",
                "aa",
                "a",
                "b",
                "ab",
                "aab",
                "abba",
                "-",
                "z",
                "]",
                "[",
                "\\",
                "\n",
                "\t",
                "$^.",
                "ABCDEF01-abcd",
                "QUJD",
                "QUI=",
                "Q===",
                "   ",
                "é",
                "😀"));
    for (String x : List.copyOf(s)) {
      s.add(x + "\n");
      s.add("\n" + x);
      s.add(x + "é");
    }
    return s;
  }

  private static String randomString(Random rnd, int maxLength) {
    StringBuilder sb = new StringBuilder();
    int n = rnd.nextInt(maxLength + 1);
    for (int i = 0; i < n; i++) {
      sb.append(ALPHABET[rnd.nextInt(ALPHABET.length)]);
    }
    return sb.toString();
  }

  /** One atom of a random pattern: its source and a way to write a character it accepts. */
  private record Atom(String source, Consumer<StringBuilder> sample) {}

  private static Atom randomAtom(Random rnd) {
    return switch (rnd.nextInt(12)) {
      case 0 -> {
        String c = new String[] {"a", "b", "K", "0", "-", "_", " ", "@", "/", ","}[rnd.nextInt(10)];
        yield new Atom(c, sb -> sb.append(c));
      }
      case 1 -> new Atom("[a-c]", sb -> sb.append((char) ('a' + rnd.nextInt(3))));
      case 2 -> new Atom("[0-9]", sb -> sb.append((char) ('0' + rnd.nextInt(10))));
      case 3 -> new Atom("[^a]", sb -> sb.append(rnd.nextBoolean() ? "b" : "é"));
      case 4 -> new Atom("\\d", sb -> sb.append(rnd.nextInt(10)));
      case 5 -> new Atom("\\w", sb -> sb.append(rnd.nextBoolean() ? "_" : "Z"));
      case 6 -> new Atom("\\s", sb -> sb.append(rnd.nextBoolean() ? " " : "\n"));
      case 7 -> new Atom(".", sb -> sb.append(rnd.nextBoolean() ? "x" : "😀"));
      case 8 -> new Atom("\\.", sb -> sb.append('.'));
      case 9 -> new Atom("[A-Z_-]", sb -> sb.append(rnd.nextBoolean() ? "-" : "Q"));
      case 10 -> new Atom("\\W", sb -> sb.append(rnd.nextBoolean() ? "\n" : "é"));
      default -> new Atom("[\\d\\s]", sb -> sb.append(rnd.nextBoolean() ? "7" : "\t"));
    };
  }

  @Test
  void agreesWithRe2jOnRandomPatterns() {
    Random rnd = new Random(20240601L);
    int checked = 0;
    for (int round = 0; round < 1500; round++) {
      StringBuilder re = new StringBuilder();
      List<Consumer<StringBuilder>> writer = new ArrayList<>();
      boolean start = rnd.nextInt(3) > 0;
      boolean end = rnd.nextInt(3) > 0;
      re.append(start ? "^" : "");
      int atoms = 1 + rnd.nextInt(5);
      for (int a = 0; a < atoms; a++) {
        Atom atom = randomAtom(rnd);
        re.append(atom.source());
        int min;
        int max;
        switch (rnd.nextInt(8)) {
          case 0 -> {
            re.append('?');
            min = 0;
            max = 1;
          }
          case 1 -> {
            re.append('*');
            min = 0;
            max = 3;
          }
          case 2 -> {
            re.append('+');
            min = 1;
            max = 3;
          }
          case 3 -> {
            min = rnd.nextInt(4);
            max = min + rnd.nextInt(4);
            re.append('{').append(min).append(',').append(max).append('}');
          }
          case 4 -> {
            min = rnd.nextInt(4);
            max = min + 2;
            re.append('{').append(min).append(",}");
          }
          case 5 -> {
            min = rnd.nextInt(4);
            max = min;
            re.append('{').append(min).append('}');
          }
          default -> {
            min = 1;
            max = 1;
          }
        }
        int lo = min;
        int hi = max;
        writer.add(
            sb -> {
              int k = lo + rnd.nextInt(hi - lo + 1);
              for (int j = 0; j < k; j++) {
                atom.sample().accept(sb);
              }
            });
      }
      re.append(end ? "$" : "");
      String source = re.toString();
      Pattern re2 = compileOrNull(source);
      if (re2 == null) {
        continue;
      }
      LinearPattern lp = linear(source);
      for (int i = 0; i < 60; i++) {
        StringBuilder sb = new StringBuilder();
        writer.forEach(w -> w.accept(sb));
        String near = sb.toString();
        agree(source, re2, lp, near);
        agree(source, re2, lp, mutate(rnd, near));
        agree(source, re2, lp, randomString(rnd, 8));
        checked += 3;
      }
    }
    assertThat(checked).isGreaterThan(200_000);
  }

  private static String mutate(Random rnd, String s) {
    StringBuilder sb = new StringBuilder(s);
    String c = ALPHABET[rnd.nextInt(ALPHABET.length)];
    int at = sb.length() == 0 ? 0 : rnd.nextInt(sb.length());
    if (at > 0 && Character.isLowSurrogate(sb.charAt(at))) {
      at--; // never split a surrogate pair
    }
    switch (rnd.nextInt(4)) {
      case 0 -> sb.insert(at, c);
      case 1 -> {
        if (sb.length() > 0 && !Character.isSurrogate(sb.charAt(at))) {
          sb.deleteCharAt(at);
        }
      }
      case 2 -> sb.append(c);
      default -> sb.insert(0, c);
    }
    return sb.toString();
  }

  private static @Nullable Pattern compileOrNull(String re) {
    try {
      return Pattern.compile(re);
    } catch (PatternSyntaxException e) {
      return null;
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "^(a+)+$",
        "(a)\\1",
        "^(?=a)a$",
        "a|b",
        "(?i)abc",
        "^é$",
        "^[é]$",
        "^\\p{L}+$",
        "^[[:alpha:]]$",
        "\\bword\\b",
        "^a*?$",
        "^a{2}{3}$",
        "^a{1,100}$",
        "^[]a]$",
        "a^b",
        "a$b",
        "\\x41",
        "\\Qa.b\\E",
        "^a{,3}$",
        "^\\z"
      })
  void patternsOutsideTheLinearFormAreLeftToRe2j(String re) {
    assertThat(LinearPattern.compile(re)).as(re).isNull();
  }

  @Test
  void longInputsMatchInOnePass() {
    LinearPattern lp = linear("^[a-z]+$");
    String huge = "a".repeat(2_000_000);
    assertThat(lp.find(huge)).isTrue();
    assertThat(lp.find(huge + "!")).isFalse();
  }
}
