package dev.bulwark.probe;

import static java.util.Objects.requireNonNull;

/**
 * The result of one check: what was checked, the verdict, one line of evidence and how to fix it.
 *
 * @param id stable identifier such as {@code headers.hsts}, used as the SARIF rule id
 * @param family the group the check belongs to
 * @param severity how much the check weighs in the score
 * @param title what the checklist item requires, in a few words
 * @param verdict the outcome
 * @param evidence what the probe saw, one line
 * @param hint how to fix a failure or warning; empty on a pass
 */
public record Finding(
    String id,
    CheckFamily family,
    Severity severity,
    String title,
    Verdict verdict,
    String evidence,
    String hint) {

  /** Checks that every component is present. */
  public Finding {
    requireNonNull(id, "id");
    requireNonNull(family, "family");
    requireNonNull(severity, "severity");
    requireNonNull(title, "title");
    requireNonNull(verdict, "verdict");
    requireNonNull(evidence, "evidence");
    requireNonNull(hint, "hint");
  }
}
