package dev.bulwark.probe;

import java.util.List;

/**
 * The score out of 100 and its letter grade.
 *
 * <p>Each check earns its severity's weight on a pass, half on a warning and nothing on a failure;
 * skipped checks do not count. A failed critical check caps the score at {@value #CRITICAL_CAP}, so
 * a reflected CORS origin or a trusted-nowhere certificate can never look acceptable.
 *
 * @param value the score, 0 to 100
 * @param grade A (90+), B (80+), C (70+), D (60+) or F
 * @param earned the points earned
 * @param possible the points available among the checks that ran
 */
public record ProbeScore(int value, String grade, int earned, int possible) {

  /** The highest score a run with a failed critical check can get. */
  public static final int CRITICAL_CAP = 59;

  /** Computes the score of the given findings; an aborted run scores zero. */
  public static ProbeScore of(List<Finding> findings, boolean aborted) {
    int earnedHalves = 0;
    int possible = 0;
    boolean criticalFailure = false;
    for (Finding f : findings) {
      int weight = f.severity().weight();
      switch (f.verdict()) {
        case PASS -> {
          earnedHalves += 2 * weight;
          possible += weight;
        }
        case WARN -> {
          earnedHalves += weight;
          possible += weight;
        }
        case FAIL -> {
          possible += weight;
          criticalFailure |= f.severity() == Severity.CRITICAL;
        }
        case SKIP -> {}
      }
    }
    int value = possible == 0 || aborted ? 0 : (int) Math.floor(50.0 * earnedHalves / possible);
    if (criticalFailure) {
      value = Math.min(value, CRITICAL_CAP);
    }
    return new ProbeScore(value, grade(value), earnedHalves / 2, possible);
  }

  private static String grade(int value) {
    if (value >= 90) {
      return "A";
    }
    if (value >= 80) {
      return "B";
    }
    if (value >= 70) {
      return "C";
    }
    if (value >= 60) {
      return "D";
    }
    return "F";
  }
}
