package dev.bulwark.config;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown when a configuration is refused; carries every error found, each with its path. */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial") // an immutable List.copyOf of records
  private final List<Problem> problems;

  public ConfigException(List<Problem> problems) {
    super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  /** Returns every error found, in file order (warnings of a refused file are not reported). */
  public List<Problem> problems() {
    return problems;
  }
}
