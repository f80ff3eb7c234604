package dev.bulwark.config;

import static java.util.Objects.requireNonNull;

/** One finding about a configuration file: an error that refuses the file, or a warning. */
public record Problem(Severity severity, String path, String message) {

  /** How serious a finding is. */
  public enum Severity {
    ERROR,
    WARNING
  }

  public Problem {
    requireNonNull(severity, "severity");
    requireNonNull(path, "path");
    requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}
