package dev.bulwark.audit.trail;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The line parser: exactly the record shape, every value in its alphabet, nothing else. */
class TrailLineTest {
  private static final String H = "ab".repeat(32);

  private static String line(String seq, String time, String type, String fields, String hash) {
    return "{\"seq\":"
        + seq
        + ",\"time\":\""
        + time
        + "\",\"type\":\""
        + type
        + "\","
        + fields
        + ",\"prev\":\""
        + TrailLine.GENESIS
        + "\",\"hash\":\""
        + hash
        + "\"}";
  }

  @Test
  void aRecordParsesAndWritesBackTheSame() {
    TrailLine made =
        TrailLine.make(
            12,
            "2026-12-07T20:00:00.123Z",
            TrailLine.EVENT,
            TrailLine.field("body", "QUJD+/=-"),
            TrailLine.GENESIS);
    TrailLine parsed = java.util.Objects.requireNonNull(TrailLine.parse(made.text()));

    assertThat(parsed).isEqualTo(made);
    assertThat(parsed.hashMatches()).isTrue();
    assertThat(parsed.value("body")).isEqualTo("QUJD+/=-");
    String four = "\"trail\":\"t\",\"key\":\"k\",\"sig\":\"s\",\"torn\":\"0\"";
    assertThat(TrailLine.parse(line("0", "T", "start", four, H))).isNotNull();
  }

  @Test
  void anythingElseIsNotARecord() {
    String ok = line("1", "2026-12-07T20:00:00Z", "event", "\"body\":\"QQ\"", H);
    assertThat(TrailLine.parse(ok)).isNotNull();
    assertThat(TrailLine.parse(ok + " ")).isNull();
    assertThat(TrailLine.parse(ok.substring(0, ok.length() - 1))).isNull();
    assertThat(TrailLine.parse(line("01", "T", "event", "\"body\":\"QQ\"", H))).isNull();
    assertThat(TrailLine.parse(line("", "T", "event", "\"body\":\"QQ\"", H))).isNull();
    assertThat(TrailLine.parse(line("1" + "0".repeat(18), "T", "event", "\"b\":\"Q\"", H)))
        .isNull();
    assertThat(TrailLine.parse(line("1", "T".repeat(41), "event", "\"body\":\"QQ\"", H))).isNull();
    assertThat(TrailLine.parse(line("1", "", "event", "\"body\":\"QQ\"", H))).isNull();
    assertThat(TrailLine.parse(line("1", "T", "events", "\"body\":\"QQ\"", H))).isNull();
    assertThat(TrailLine.parse(line("1", "T", "event", "\"body\":\"Q\\nQ\"", H))).isNull();
    assertThat(TrailLine.parse(line("1", "T", "event", "\"body\":\"QQ\",", H))).isNull();
    assertThat(TrailLine.parse(line("1", "T", "event", "\"a\":\"Q\"\"b\":\"Q\"", H))).isNull();
    assertThat(TrailLine.parse(line("1", "T", "event", "\"Body\":\"QQ\"", H))).isNull();
    assertThat(TrailLine.parse(line("1", "T", "event", "\"abcdefghijk\":\"Q\"", H))).isNull();
    String five = "\"a\":\"1\",\"b\":\"2\",\"c\":\"3\",\"d\":\"4\",\"e\":\"5\"";
    assertThat(TrailLine.parse(line("1", "T", "event", five, H))).isNull();
    assertThat(TrailLine.parse(line("1", "T", "event", "\"body\":\"QQ\"", H.toUpperCase())))
        .isNull();
    assertThat(TrailLine.parse(line("1", "T", "event", "\"body\":\"QQ\"", H.substring(2))))
        .isNull();
  }
}
