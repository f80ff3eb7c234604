package dev.bulwark.secret;

import static java.util.Objects.requireNonNull;

/**
 * Vault could not give a secret; the message is one line in words (never a class name) that says
 * what failed and, where it helps, what to do.
 */
public final class VaultException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why Vault could not give the secret. */
  public enum Reason {
    /** Vault did not answer in time, could not be reached, or answered 5xx or 429. */
    UNAVAILABLE,
    /** TLS to Vault failed: its certificate is not trusted by the configured CA, or wrong name. */
    UNTRUSTED,
    /** Vault refused the token or the login (403, 400 on login). */
    DENIED,
    /** The secret or field is not there, or not a string, or too large. */
    BAD_SECRET
  }

  private final Reason reason;
  private final String message;

  public VaultException(Reason reason, String message) {
    super(requireNonNull(message, "message"), null, false, false);
    this.reason = requireNonNull(reason, "reason");
    this.message = message;
  }

  /** Returns the one-line message. */
  @Override
  public String getMessage() {
    return message;
  }

  /** Returns why Vault could not give the secret. */
  public Reason reason() {
    return reason;
  }

  /**
   * Returns whether the last good value may stand in: Vault is away or refuses the gateway, which
   * says nothing about the secret itself (a wrong secret must not be papered over).
   */
  public boolean outage() {
    return reason != Reason.BAD_SECRET;
  }
}
