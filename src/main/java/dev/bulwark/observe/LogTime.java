package dev.bulwark.observe;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Formats the wall-clock time of a log line as ISO 8601 UTC with milliseconds ({@code
 * 2026-12-06T14:25:50.123Z}). The date and time up to the second is formatted once per second and
 * shared by every thread, so a line costs a clock read and a few appends rather than a formatter
 * run.
 */
final class LogTime {
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  /** One formatted second; replaced whole, so readers never see a half-updated pair. */
  private record Second(long epochSecond, String text) {}

  private static volatile Second cached = format(0);

  private LogTime() {}

  /** Appends the current time. */
  static StringBuilder append(StringBuilder sb) {
    return append(sb, System.currentTimeMillis());
  }

  /** Appends {@code epochMillis} (at or after 1970) as ISO 8601 UTC with milliseconds. */
  static StringBuilder append(StringBuilder sb, long epochMillis) {
    long second = Math.floorDiv(epochMillis, 1000);
    Second s = cached;
    if (s.epochSecond() != second) {
      s = format(second);
      cached = s;
    }
    int millis = (int) Math.floorMod(epochMillis, 1000);
    sb.append(s.text()).append('.');
    if (millis < 100) {
      sb.append('0');
    }
    if (millis < 10) {
      sb.append('0');
    }
    return sb.append(millis).append('Z');
  }

  private static Second format(long epochSecond) {
    return new Second(epochSecond, SECONDS.format(Instant.ofEpochSecond(epochSecond)));
  }
}
