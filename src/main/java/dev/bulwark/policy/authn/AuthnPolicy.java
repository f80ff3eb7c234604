package dev.bulwark.policy.authn;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.HeaderMap;
import dev.bulwark.identity.Caller;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import java.util.function.BiConsumer;

/**
 * Requires a credential on a protected route, asking the route's credential providers in order: the
 * first that authenticates the request records the caller ({@link Caller#KEY}) and lets it through;
 * an invalid credential is 401 with that provider's challenge and a security event; a request that
 * none of them recognises is 401 with every provider's challenge.
 */
public final class AuthnPolicy implements Policy {
  private static final CharSequence WWW_AUTHENTICATE = HeaderMap.constant("WWW-Authenticate");

  private final String route;
  private final Credentials credentials;
  private final SecurityEvents security;
  private final BiConsumer<Exchange, Verdict> decide = this::decide;

  public AuthnPolicy(String route, Credentials credentials, SecurityEvents security) {
    this.route = route;
    this.credentials = credentials;
    this.security = security;
  }

  @Override
  public Stage stage() {
    return Stage.AUTHN;
  }

  @Override
  public String name() {
    return "authn";
  }

  @Override
  public String describe() {
    return credentials.describe();
  }

  @Override
  public void onRequest(Exchange exchange) {
    credentials.authenticate(exchange, name(), decide);
  }

  private void decide(Exchange exchange, Verdict verdict) {
    if (verdict instanceof Verdict.Authenticated a) {
      Caller caller = a.caller();
      exchange.attr(Caller.KEY, caller);
      exchange.authenticated(caller.subject());
      exchange.proceed();
      return;
    }
    if (verdict instanceof Verdict.Invalid bad) {
      security.publish(
          SecurityEvent.credentialRefused(
              bad.kind(), exchange.requestId(), exchange.clientAddress(), route, bad.reason()));
      exchange.responseHeaders().set(WWW_AUTHENTICATE, bad.challenge());
      exchange.deny(bad.denial());
      return;
    }
    credentials.challenge(exchange.responseHeaders());
    exchange.deny(credentials.missing());
  }
}
