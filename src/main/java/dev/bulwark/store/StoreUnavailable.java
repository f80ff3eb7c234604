package dev.bulwark.store;

/**
 * A store that cannot be opened at start-up (its data file unreadable or not a database, its
 * directory in use by another process, the wrong master key); the message is one line naming the
 * path and what to do.
 */
public final class StoreUnavailable extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String message;

  public StoreUnavailable(String message) {
    super(message, null, false, false);
    this.message = message;
  }

  /** Returns the one-line message (never null). */
  @Override
  public String getMessage() {
    return message;
  }
}
