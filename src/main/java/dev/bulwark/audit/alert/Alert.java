package dev.bulwark.audit.alert;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * One alert: a rule fired for a key. Immutable; its JSON form is {@link AlertJson}.
 *
 * @param id a random identifier, the same in the log and in every delivery attempt
 * @param epochMillis when the rule fired
 * @param gateway the gateway that fired it
 * @param rule the rule
 * @param severity the rule's severity
 * @param key what the rule counted per ({@code address:203.0.113.7}, {@code account:alice})
 * @param count matching events counted for the key in the window when it fired
 * @param threshold the rule's threshold
 * @param window the rule's window
 * @param firstEventMillis when the first event counted towards this alert happened
 * @param lastEventMillis when the event that fired it happened
 * @param sampleEvents request ids of the last few events counted (at most {@link #MAX_SAMPLES})
 * @param suppressed events for the key held back since the previous alert of this rule and key
 */
public record Alert(
    String id,
    long epochMillis,
    String gateway,
    AlertRule rule,
    Severity severity,
    String key,
    long count,
    int threshold,
    Duration window,
    long firstEventMillis,
    long lastEventMillis,
    List<String> sampleEvents,
    long suppressed) {
  /** Request ids kept per alert. */
  public static final int MAX_SAMPLES = 5;

  public Alert {
    requireNonNull(id, "id");
    requireNonNull(gateway, "gateway");
    requireNonNull(rule, "rule");
    requireNonNull(severity, "severity");
    requireNonNull(key, "key");
    requireNonNull(window, "window");
    sampleEvents = List.copyOf(sampleEvents);
  }

  /** Returns one sentence saying what happened, for people reading a chat or a pager. */
  public String summary() {
    return count
        + " "
        + rule.counted()
        + " for "
        + key
        + " within "
        + AlertJson.duration(window)
        + " (threshold "
        + threshold
        + ")";
  }
}
