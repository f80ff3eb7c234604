package dev.bulwark.store.sealed;

/**
 * A sealed value, a wrapped key or an archive that does not open: tampered with, moved to another
 * record, sealed under a key this keyring does not hold, or opened with the wrong master key. The
 * message is one line that says which record or file and what to do.
 */
public final class SealRefused extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String message;

  public SealRefused(String message) {
    super(message, null, false, false);
    this.message = message;
  }

  /** Returns the one-line message (never null). */
  @Override
  public String getMessage() {
    return message;
  }
}
