package dev.bulwark.audit.alert;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How one rule is set: whether it runs, how many matching events per key within {@code window} fire
 * it, how long it then stays quiet for that key, and the severity of its alerts.
 *
 * @param enabled whether the rule runs
 * @param threshold events per key within the window that fire the rule
 * @param window the sliding window the events are counted in
 * @param coolDown after an alert, how long further ones for the same key are held back (counted)
 * @param severity the severity of its alerts
 */
public record RuleSettings(
    boolean enabled, int threshold, Duration window, Duration coolDown, Severity severity) {
  /** The largest threshold a rule accepts. */
  public static final int MAX_THRESHOLD = 1_000_000;

  public RuleSettings {
    requireNonNull(window, "window");
    requireNonNull(coolDown, "coolDown");
    requireNonNull(severity, "severity");
    if (threshold < 1 || threshold > MAX_THRESHOLD) {
      throw new IllegalArgumentException(
          "threshold: " + threshold + " (expected: 1 to " + MAX_THRESHOLD + ")");
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window: " + window + " (expected: > 0)");
    }
    if (coolDown.isNegative()) {
      throw new IllegalArgumentException("coolDown: " + coolDown + " (expected: >= 0)");
    }
  }
}
