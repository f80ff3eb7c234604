package dev.bulwark.audit.alert;

import static java.util.Objects.requireNonNull;

import java.util.function.Consumer;

/**
 * Writes each alert as one JSON line ({@code "type":"alert"}) to the log stream the security events
 * share; the line is ASCII with every control character escaped (see {@link AlertJson}).
 */
public final class AlertLog implements AlertDestination {
  private final Consumer<String> lines;

  /** Writes to {@code lines} (the log sink's {@code write}), which must not block. */
  public AlertLog(Consumer<String> lines) {
    this.lines = requireNonNull(lines, "lines");
  }

  @Override
  public void send(Alert alert) {
    lines.accept(AlertJson.logLine(alert));
  }
}
