package dev.bulwark.identity.mail;

import static java.util.Objects.requireNonNull;

/**
 * One plain-text mail to send: its recipient, subject and text, and what it is for ({@code reset},
 * {@code verify}, {@code invite}), under which it is counted.
 */
public record OutgoingMail(String to, String subject, String text, String kind) {
  public OutgoingMail {
    requireNonNull(to, "to");
    requireNonNull(subject, "subject");
    requireNonNull(text, "text");
    requireNonNull(kind, "kind");
    // The recipient and subject become header lines: a line break would add headers of its own.
    if (to.chars().anyMatch(c -> c < 0x20 || c == 0x7f)
        || subject.indexOf('\n') >= 0
        || subject.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("to, subject: a control character (expected: one line)");
    }
  }

  /** Names the mail without its text, which carries a token. */
  @Override
  public String toString() {
    return "OutgoingMail[" + kind + "]";
  }
}
