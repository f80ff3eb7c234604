package dev.bulwark.policy.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The Idempotency-Key value: an sf-string per the draft, or a bare key; nothing else. */
class IdempotencyKeyHeaderTest {
  @Test
  void aStructuredFieldStringIsUnquotedAndUnescaped() {
    assertThat(IdempotencyKeyHeader.parse("\"8e03978e-40d5-43e8-bc93-6894a57f9324\""))
        .isEqualTo("8e03978e-40d5-43e8-bc93-6894a57f9324");
    assertThat(IdempotencyKeyHeader.parse(" \"a \\\"b\\\\ c\" ")).isEqualTo("a \"b\\ c");
  }

  @Test
  void aBareKeyAsSdksSendItIsTheSameKey() {
    assertThat(IdempotencyKeyHeader.parse("abc-123")).isEqualTo("abc-123");
    assertThat(IdempotencyKeyHeader.parse("\"abc-123\"")).isEqualTo("abc-123");
  }

  @Test
  void theLengthIsAtMost255Characters() {
    assertThat(IdempotencyKeyHeader.parse("\"" + "a".repeat(255) + "\"")).hasSize(255);
    assertThat(IdempotencyKeyHeader.parse("a".repeat(255))).hasSize(255);
    assertThat(IdempotencyKeyHeader.parse("\"" + "a".repeat(256) + "\"")).isNull();
    assertThat(IdempotencyKeyHeader.parse("a".repeat(10 * 1024))).isNull();
  }

  @Test
  void malformedValuesAreRefused() {
    for (String bad :
        List.of(
            "",
            "\"\"",
            "\"a",
            "a\"",
            "\"a\";param=1",
            "\"a\" \"b\"",
            "\"\\x\"",
            "\"tab\there\"",
            "\"nul\u0000\"",
            "del\u007f",
            "a b",
            "a,b",
            "a;b",
            "\"caf\u00e9\"")) {
      assertThat(IdempotencyKeyHeader.parse(bad)).as("[%s]", bad).isNull();
    }
  }
}
