package dev.bulwark.policy.authn;

import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.observe.SecurityLog;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Requires a valid bearer token on a protected route: no token, or one that fails verification, is
 * 401 with a {@code WWW-Authenticate: Bearer} challenge ({@code error="invalid_token"} when a token
 * was presented, RFC 6750); a valid one records the caller on the exchange.
 */
public final class BearerAuthPolicy implements Policy {
  /** The challenge when no token was presented. */
  public static final String CHALLENGE = "Bearer realm=\"bulwark\"";

  /** The challenge when the presented token was refused. */
  public static final String INVALID_TOKEN = "Bearer realm=\"bulwark\", error=\"invalid_token\"";

  static final Denial MISSING = Denial.of(401, "unauthorized", "no bearer token");
  static final Denial INVALID = Denial.of(401, "unauthorized", "invalid bearer token");
  static final Denial EXPIRED = Denial.of(401, "unauthorized", "expired bearer token");

  private final String route;
  private final Authenticator authenticator;
  private final List<String> issuers;
  private final SecurityLog security;

  public BearerAuthPolicy(
      String route, Authenticator authenticator, List<String> issuers, SecurityLog security) {
    this.route = route;
    this.authenticator = authenticator;
    this.issuers = List.copyOf(issuers);
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
  public void onRequest(Exchange exchange) {
    HttpServerRequest req = exchange.request();
    List<String> headers = req.headers().getAll("authorization");
    String token = headers.size() == 1 ? bearer(headers.get(0)) : null;
    if (token == null) {
      boolean presented = !headers.isEmpty();
      if (presented) {
        event(exchange, "token-invalid", "malformed or repeated Authorization header");
      }
      req.response().headers().set("WWW-Authenticate", presented ? INVALID_TOKEN : CHALLENGE);
      exchange.deny(presented ? INVALID : MISSING);
      return;
    }
    Context context = Vertx.currentContext();
    if (context == null) {
      throw new IllegalStateException("authentication outside a Vert.x context");
    }
    authenticator.authenticate(token, issuers, context, outcome -> decide(exchange, outcome));
  }

  private void decide(Exchange exchange, TokenVerifier.Outcome outcome) {
    if (exchange.finishedOrResponded()) {
      return; // the client left, or the body timer answered, while the keys were fetched
    }
    if (outcome instanceof TokenVerifier.Valid v) {
      exchange.authenticated(v.caller().subject(), v.caller());
      exchange.proceed();
      return;
    }
    TokenVerifier.Invalid bad =
        outcome instanceof TokenVerifier.Invalid i
            ? i
            : new TokenVerifier.Invalid(false, "unknown kid");
    event(exchange, bad.expired() ? "token-expired" : "token-invalid", bad.reason());
    exchange.request().response().headers().set("WWW-Authenticate", INVALID_TOKEN);
    exchange.deny(
        bad.expired()
            ? EXPIRED
            : Denial.of(401, "unauthorized", "invalid bearer token: " + bad.reason()));
  }

  private void event(Exchange exchange, String kind, String reason) {
    security.event(
        kind,
        exchange.requestId(),
        exchange.clientAddress(),
        Map.of("route", route, "reason", reason));
  }

  /** Returns the token of a {@code Bearer} credential, or null when it is not one. */
  static @Nullable String bearer(String header) {
    if (header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String t = header.substring(7);
    return t.isEmpty() || t.indexOf(' ') >= 0 ? null : t;
  }
}
