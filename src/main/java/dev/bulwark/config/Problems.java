package dev.bulwark.config;

import java.util.ArrayList;
import java.util.List;

/** Collects every error and warning found while reading a configuration, in the order found. */
public final class Problems {
  private final List<Problem> all = new ArrayList<>();

  /** Records an error at a config path. */
  public void error(String path, String message) {
    all.add(new Problem(Problem.Severity.ERROR, path, message));
  }

  /** Records a warning at a config path. */
  public void warning(String path, String message) {
    all.add(new Problem(Problem.Severity.WARNING, path, message));
  }

  /** Returns whether any error was recorded. */
  public boolean hasErrors() {
    return all.stream().anyMatch(p -> p.severity() == Problem.Severity.ERROR);
  }

  /** Returns how many errors were recorded so far. */
  public int errorCount() {
    return (int) all.stream().filter(p -> p.severity() == Problem.Severity.ERROR).count();
  }

  /** Returns the errors, in the order found. */
  public List<Problem> errors() {
    return all.stream().filter(p -> p.severity() == Problem.Severity.ERROR).toList();
  }

  /** Returns the warnings, in the order found. */
  public List<Problem> warnings() {
    return all.stream().filter(p -> p.severity() == Problem.Severity.WARNING).toList();
  }

  /** Returns every finding, in the order found. */
  public List<Problem> all() {
    return List.copyOf(all);
  }
}
