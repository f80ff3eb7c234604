package dev.bulwark.identity.totp;

import static java.util.Objects.requireNonNull;

/**
 * What checking a TOTP code found: accepted, with the step to store as the last accepted one, or
 * refused, with why (for the log; the user is told only that the code is wrong).
 *
 * @param outcome accepted or why not
 * @param step the step to store as the last accepted one: the code's step when accepted, else the
 *     one given (unchanged)
 */
public record TotpCheck(Outcome outcome, long step) {
  /** Why a code was or was not accepted. */
  public enum Outcome {
    /** The code belongs to a step within the skew, after the last accepted one. */
    ACCEPTED,
    /** Not six ASCII digits: refused without computing anything. */
    MALFORMED,
    /** No step within the skew has this code. */
    WRONG,
    /** The code belongs to a step already used (or older than the last accepted one). */
    REPLAYED
  }

  public TotpCheck {
    requireNonNull(outcome, "outcome");
  }

  /** Returns whether the code was accepted. */
  public boolean accepted() {
    return outcome == Outcome.ACCEPTED;
  }
}
