package dev.bulwark.identity.password;

import java.util.List;

/**
 * What the password policy says of a new password: accepted, or refused with reasons a user can
 * read (never echoing the password); and notes for the operator's log (a breach lookup that
 * failed), never shown to the user.
 *
 * @param reasons why the password is refused, in words for the user; empty when accepted
 * @param notes what the operator should know, such as a failed range lookup
 */
public record PasswordVerdict(List<String> reasons, List<String> notes) {
  /** Accepted with nothing to note. */
  public static final PasswordVerdict ACCEPTED = new PasswordVerdict(List.of(), List.of());

  public PasswordVerdict {
    reasons = List.copyOf(reasons);
    notes = List.copyOf(notes);
  }

  /** Returns whether the password may be set. */
  public boolean accepted() {
    return reasons.isEmpty();
  }

  /** Returns this verdict with one more reason. */
  PasswordVerdict refusedAlso(String reason) {
    List<String> r = new java.util.ArrayList<>(reasons);
    r.add(reason);
    return new PasswordVerdict(r, notes);
  }

  /** Returns this verdict with one more note. */
  PasswordVerdict noting(String note) {
    List<String> n = new java.util.ArrayList<>(notes);
    n.add(note);
    return new PasswordVerdict(reasons, n);
  }
}
