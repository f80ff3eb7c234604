package dev.bulwark.probe;

/** The outcome of one check: whether the target met the checklist item. */
public enum Verdict {
  /** The target meets the checklist item. */
  PASS,
  /** The target partly meets the item or the evidence is ambiguous. */
  WARN,
  /** The target does not meet the item. */
  FAIL,
  /** The check did not run (not applicable, not requested, or an earlier step failed). */
  SKIP
}
