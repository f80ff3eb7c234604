package dev.bulwark.policy.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
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
}
