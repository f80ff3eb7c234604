package dev.bulwark.probe;

/** How much a check weighs in the score. */
public enum Severity {
  CRITICAL(10),
  HIGH(6),
  MEDIUM(3),
  LOW(1),
  /** Reported for context; never changes the score. */
  INFO(0);

  private final int weight;

  Severity(int weight) {
    this.weight = weight;
  }

  /** Returns the number of points a passing check of this severity earns. */
  public int weight() {
    return weight;
  }
}
