package dev.bulwark.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Parses the human units of the configuration: sizes such as {@code 1MiB} and durations such as
 * {@code 30s}.
 */
public final class Units {
  private static final Pattern SIZE = Pattern.compile("(\\d{1,15})\\s*(B|KB|KiB|MB|MiB|GB|GiB)?");
  private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)");

  private Units() {}

  /** Returns the number of bytes a size string denotes, or null when it is not a size. */
  public static @Nullable Long parseSize(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      return null;
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2);
    long factor =
        switch (unit) {
          case "KB" -> 1_000L;
          case "KiB" -> 1L << 10;
          case "MB" -> 1_000_000L;
          case "MiB" -> 1L << 20;
          case "GB" -> 1_000_000_000L;
          case "GiB" -> 1L << 30;
          default -> 1L;
        };
    if (n > Long.MAX_VALUE / factor) {
      return null;
    }
    return n * factor;
  }

  /** Returns the duration a string such as {@code 30s} denotes, or null when it is not one. */
  public static @Nullable Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      return null;
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /** Formats a byte count the way the configuration would write it. */
  public static String formatSize(long bytes) {
    if (bytes >= (1L << 30) && bytes % (1L << 30) == 0) {
      return (bytes >> 30) + "GiB";
    }
    if (bytes >= (1L << 20) && bytes % (1L << 20) == 0) {
      return (bytes >> 20) + "MiB";
    }
    if (bytes >= (1L << 10) && bytes % (1L << 10) == 0) {
      return (bytes >> 10) + "KiB";
    }
    return bytes + "B";
  }

  /** Formats a duration the way the configuration would write it. */
  public static String formatDuration(Duration d) {
    long ms = d.toMillis();
    if (ms % 86_400_000L == 0 && ms > 0) {
      return ms / 86_400_000L + "d";
    }
    if (ms % 3_600_000L == 0 && ms > 0) {
      return ms / 3_600_000L + "h";
    }
    if (ms % 60_000L == 0 && ms > 0) {
      return ms / 60_000L + "m";
    }
    if (ms % 1_000L == 0) {
      return ms / 1_000L + "s";
    }
    return ms + "ms";
  }
}
