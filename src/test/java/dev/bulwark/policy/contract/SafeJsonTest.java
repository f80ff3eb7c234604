package dev.bulwark.policy.contract;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The bounded JSON reader refuses unsafe input before any schema work. */
class SafeJsonTest {
  private final SafeJson json = new SafeJson(new JsonLimits(4, 3, 3, 10, 8));

  private void refuses(String text, String reason) {
    refuses(text.getBytes(StandardCharsets.UTF_8), reason);
  }

  private void refuses(byte[] bytes, String reason) {
    assertThatThrownBy(() -> json.parse(bytes))
        .isInstanceOf(SafeJson.Unsafe.class)
        .hasMessageContaining(reason);
  }

  @Test
  void limitsAreEnforced() {
    refuses("[[[[[1]]]]]", "limit");
    refuses("{\"a\":1,\"b\":2,\"c\":3,\"d\":4}", "more than 3 members");
    refuses("[1,2,3,4]", "more than 3 elements");
    refuses("\"" + "x".repeat(11) + "\"", "");
    refuses("{\"" + "k".repeat(11) + "\":1}", "");
    refuses("123456789", "");
    refuses("1.5e400", "");
  }

  @Test
  void acceptsWhatIsWithinTheLimits() throws Exception {
    assertThat(json.parse("{\"a\":[1,2.5,\"x\"],\"b\":null}".getBytes(StandardCharsets.UTF_8)))
        .hasSize(2);
    assertThat(json.parse("\"\\ud83d\\ude00\"".getBytes(StandardCharsets.UTF_8)).textValue())
        .isEqualTo("\ud83d\ude00");
  }

  @Test
  void malformedAndTrailingContentAreRefused() {
    refuses("{\"a\":1", "malformed");
    refuses("{\"a\":1} {}", "content after");
    refuses("{'a':1}", "malformed");
    refuses("[NaN]", "malformed");
    refuses("[01]", "malformed");
    refuses("", "empty");
  }

  @Test
  void utf8IsStrict() {
    refuses(new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}, "invalid UTF-8");
    refuses(
        new byte[] {'"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'}, "invalid UTF-8");
    refuses(new byte[] {'"', (byte) 0xE2, (byte) 0x82, '"'}, "invalid UTF-8");
    refuses(new byte[] {'"', (byte) 0xE2}, "invalid UTF-8");
    refuses(new byte[] {0, '[', 0, ']'}, "NUL");
    refuses("\"\\udc00\\ud800\"", "lone surrogate");
    refuses("{\"\\ud800\":1}", "");
  }

  /** The byte-at-a-time check the word-at-a-time one replaced: the oracle for its strictness. */
  private static @Nullable String referenceUtf8(byte[] b) {
    int n = b.length;
    if (n >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF) {
      return "byte order mark";
    }
    int i = 0;
    while (i < n) {
      int c = b[i] & 0xff;
      if (c < 0x80) {
        if (c == 0) {
          return "NUL byte (not UTF-8 JSON)";
        }
        i++;
        continue;
      }
      int need;
      int min;
      if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        min = 0x80;
      } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        min = 0x800;
      } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        min = 0x10000;
      } else {
        return "invalid UTF-8";
      }
      if (i + need >= n) {
        return "invalid UTF-8";
      }
      int cp = c & (0x3F >> need);
      for (int j = 1; j <= need; j++) {
        int d = b[i + j] & 0xff;
        if ((d & 0xC0) != 0x80) {
          return "invalid UTF-8";
        }
        cp = (cp << 6) | (d & 0x3F);
      }
      if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return "invalid UTF-8";
      }
      i += need + 1;
    }
    return null;
  }

  private static @Nullable String utf8(byte[] b) {
    try {
      SafeJson.checkUtf8(b);
      return null;
    } catch (SafeJson.Unsafe e) {
      return e.getMessage();
    }
  }

  /** Pieces that bodies are made of: ASCII, every UTF-8 length, and each kind of bad sequence. */
  private static final byte[][] PIECES = {
    {'a'},
    {'"', 'x', 'y', 'z', ',', ' ', '1', '}'},
    {0},
    {0x7f},
    {(byte) 0xC3, (byte) 0xA9}, // é
    {(byte) 0xE2, (byte) 0x82, (byte) 0xAC}, // €
    {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80}, // emoji
    {(byte) 0xF4, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF}, // U+10FFFF
    {(byte) 0xC0, (byte) 0xAF}, // overlong
    {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, // overlong
    {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // encoded surrogate
    {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
    {(byte) 0xE2, (byte) 0x82}, // truncated
    {(byte) 0x80}, // lone continuation
    {(byte) 0xFF},
    {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, // a BOM (refused at the start only)
  };

  @Test
  void theWordAtATimeUtf8CheckAgreesWithTheByteAtATimeOneAcrossWordBoundaries() {
    java.util.Random rnd = new java.util.Random(8L);
    int refused = 0;
    for (int round = 0; round < 200_000; round++) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      int ascii = rnd.nextInt(24);
      for (int i = 0; i < ascii; i++) {
        out.write('a' + i % 26);
      }
      int pieces = rnd.nextInt(4);
      for (int i = 0; i < pieces; i++) {
        // Mostly good pieces, so that a bad one also appears late and after a word boundary.
        byte[] p = PIECES[rnd.nextInt(rnd.nextInt(4) == 0 ? PIECES.length : 8)];
        out.write(p, 0, p.length);
        int more = rnd.nextInt(12);
        for (int j = 0; j < more; j++) {
          out.write('b');
        }
      }
      byte[] b = out.toByteArray();
      String expected = referenceUtf8(b);
      assertThat(utf8(b)).as("%s", java.util.Arrays.toString(b)).isEqualTo(expected);
      refused += expected == null ? 0 : 1;
    }
    assertThat(refused).isBetween(10_000, 190_000);
  }

  @Test
  void aNulOrABadByteIsFoundAtEveryOffsetOfAWord() {
    for (int len = 1; len <= 40; len++) {
      for (int at = 0; at < len; at++) {
        for (byte bad : new byte[] {0, (byte) 0x80, (byte) 0xC3, (byte) 0xFF}) {
          byte[] b = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN".substring(0, len).getBytes(UTF_8);
          b[at] = bad;
          assertThat(utf8(b)).as("len %d at %d byte %d", len, at, bad).isEqualTo(referenceUtf8(b));
          assertThat(utf8(b)).isNotNull();
        }
      }
    }
    assertThat(utf8("{\"a\":\"caf\u00e9 \u20ac \ud83d\ude00\"}".getBytes(UTF_8))).isNull();
    assertThat(utf8("{\"a\":\"café € 😀 and some more ASCII after it\"}".getBytes(UTF_8))).isNull();
  }
}
