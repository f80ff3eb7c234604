package dev.bulwark.probe;

import static java.util.Objects.requireNonNull;

/**
 * A checklist item the probe verifies; it turns evidence into a {@link Finding}.
 *
 * @param id stable identifier such as {@code transport.hsts}
 * @param family the group the check belongs to
 * @param severity how much the check weighs in the score
 * @param title what the checklist item requires
 * @param hint how to fix the target when the check does not pass
 */
public record Check(String id, CheckFamily family, Severity severity, String title, String hint) {

  /** Checks that every component is present. */
  public Check {
    requireNonNull(id, "id");
    requireNonNull(family, "family");
    requireNonNull(severity, "severity");
    requireNonNull(title, "title");
    requireNonNull(hint, "hint");
  }

  /** Returns a passing finding with the given evidence. */
  public Finding pass(String evidence) {
    return new Finding(id, family, severity, title, Verdict.PASS, evidence, "");
  }

  /** Returns a warning with the given evidence and this check's hint. */
  public Finding warn(String evidence) {
    return new Finding(id, family, severity, title, Verdict.WARN, evidence, hint);
  }

  /** Returns a failure with the given evidence and this check's hint. */
  public Finding fail(String evidence) {
    return new Finding(id, family, severity, title, Verdict.FAIL, evidence, hint);
  }

  /** Returns a finding for a check that did not run, with the reason as evidence. */
  public Finding skip(String reason) {
    return new Finding(id, family, severity, title, Verdict.SKIP, reason, "");
  }
}
