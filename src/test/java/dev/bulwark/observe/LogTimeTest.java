package dev.bulwark.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class LogTimeTest {
  private static String at(long millis) {
    return LogTime.append(new StringBuilder(), millis).toString();
  }

  @Test
  void formatsUtcWithMillisecondsPaddedToThreeDigits() {
    assertThat(at(0)).isEqualTo("1970-01-01T00:00:00.000Z");
    assertThat(at(1_764_000_000_007L)).isEqualTo("2025-11-24T16:00:00.007Z");
    assertThat(at(1_764_000_000_070L)).isEqualTo("2025-11-24T16:00:00.070Z");
    assertThat(at(1_764_000_000_999L)).isEqualTo("2025-11-24T16:00:00.999Z");
  }

  @Test
  void eachValueMatchesInstantAcrossSecondBoundariesInAnyOrder() {
    long[] times = {
      1_764_000_000_999L, 1_764_000_001_000L, 1_764_000_000_500L, 1_893_456_000_000L, 59_999L
    };
    for (long t : times) {
      assertThat(Instant.parse(at(t)).toEpochMilli()).isEqualTo(t);
    }
  }

  @Test
  void currentTimeIsParseable() {
    long before = System.currentTimeMillis();
    String now = LogTime.append(new StringBuilder()).toString();
    assertThat(Instant.parse(now).toEpochMilli()).isBetween(before, System.currentTimeMillis());
  }
}
