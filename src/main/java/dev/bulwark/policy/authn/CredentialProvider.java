package dev.bulwark.policy.authn;

import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import java.util.function.Consumer;

/**
 * One way a request can prove who sends it (a bearer token today; a session cookie, a client
 * certificate, a request signature later), like Caddy's authentication providers: it looks for its
 * own kind of credential and answers {@link Verdict.Authenticated}, {@link Verdict#notMine()} or
 * {@link Verdict.Invalid}. Shared by every request of its routes; per-request state stays in the
 * exchange.
 */
public interface CredentialProvider {
  /** Returns the short name of the credential kind (for traces), such as {@code bearer}. */
  String name();

  /** Returns what it accepts, in a few words for summaries (its name unless it says more). */
  default String describe() {
    return name();
  }

  /** Returns the {@code WWW-Authenticate} challenge sent when no provider found a credential. */
  String challenge();

  /** Returns the refusal when no provider found a credential and this one is the only one. */
  Denial missing();

  /**
   * Examines the request and hands exactly one verdict to {@code done}: synchronously, or later and
   * possibly on another thread (the caller brings it back to the exchange's event loop).
   */
  void authenticate(Exchange exchange, Consumer<Verdict> done);
}
