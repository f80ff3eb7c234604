package dev.bulwark.policy.authn;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.exchange.Denial;
import dev.bulwark.identity.Caller;

/**
 * What a {@link CredentialProvider} concluded about a request: authenticated as a caller, not its
 * credential (it abstains and the next provider looks), or a credential of its kind that is invalid
 * (the request is refused; no other provider is asked).
 */
public sealed interface Verdict {
  /** Returns the verdict of a provider that found none of its credentials in the request. */
  static Verdict notMine() {
    return NotMine.INSTANCE; // a method, not a constant: no subclass in the interface's init
  }

  /** The request proved who sends it. */
  record Authenticated(Caller caller) implements Verdict {
    public Authenticated {
      requireNonNull(caller, "caller");
    }
  }

  /** No credential of the provider's kind: {@link #notMine()} is its only value. */
  enum NotMine implements Verdict {
    INSTANCE
  }

  /**
   * The provider's credential is there and refused: the kind of security event to write, its reason
   * (logged, never sent), the refusal, and the {@code WWW-Authenticate} challenge to send with it.
   */
  record Invalid(SecurityEventKind kind, String reason, Denial denial, String challenge)
      implements Verdict {
    public Invalid {
      requireNonNull(kind, "kind");
      requireNonNull(reason, "reason");
      requireNonNull(denial, "denial");
      requireNonNull(challenge, "challenge");
    }
  }
}
