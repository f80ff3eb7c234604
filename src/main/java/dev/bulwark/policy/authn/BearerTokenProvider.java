package dev.bulwark.policy.authn;

import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.HeaderMap;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The bearer-token credential (RFC 6750): no {@code Authorization} header is not its business; one
 * {@code Bearer} token is verified against the route's issuers; anything else under that header
 * (repeated, another scheme, a malformed token) is an invalid credential, answered with {@code
 * error="invalid_token"}.
 */
public final class BearerTokenProvider implements CredentialProvider {
  /** The challenge when no token was presented. */
  public static final String CHALLENGE = "Bearer realm=\"bulwark\"";

  /** The challenge when the presented token was refused. */
  public static final String INVALID_TOKEN = "Bearer realm=\"bulwark\", error=\"invalid_token\"";

  static final Denial MISSING = Denial.of(401, "unauthorized", "no bearer token");
  static final Denial INVALID = Denial.of(401, "unauthorized", "invalid bearer token");
  static final Denial EXPIRED = Denial.of(401, "unauthorized", "expired bearer token");

  private static final CharSequence AUTHORIZATION = HeaderMap.constant("authorization");
  private static final Verdict MALFORMED =
      new Verdict.Invalid(
          SecurityEventKind.TOKEN_INVALID,
          "malformed or repeated Authorization header",
          INVALID,
          INVALID_TOKEN);

  private final Authenticator authenticator;
  private final List<String> issuers;

  /** A provider that accepts tokens of the named issuers (all configured ones when empty). */
  public BearerTokenProvider(Authenticator authenticator, List<String> issuers) {
    this.authenticator = authenticator;
    this.issuers = List.copyOf(issuers);
  }

  @Override
  public String name() {
    return "bearer";
  }

  @Override
  public String describe() {
    return "bearer (issuers: " + (issuers.isEmpty() ? "any" : String.join(", ", issuers)) + ")";
  }

  @Override
  public String challenge() {
    return CHALLENGE;
  }

  @Override
  public Denial missing() {
    return MISSING;
  }

  @Override
  public void authenticate(Exchange exchange, Consumer<Verdict> done) {
    List<String> headers = exchange.request().headers(AUTHORIZATION);
    if (headers.isEmpty()) {
      done.accept(Verdict.notMine());
      return;
    }
    String token = headers.size() == 1 ? bearer(headers.get(0)) : null;
    if (token == null) {
      done.accept(MALFORMED);
      return;
    }
    Attempt attempt = new Attempt(exchange, done);
    authenticator.authenticate(token, issuers, attempt, attempt);
  }

  /** Returns the verdict of a verification outcome. */
  static Verdict verdict(TokenVerifier.Outcome outcome) {
    if (outcome instanceof TokenVerifier.Valid v) {
      return new Verdict.Authenticated(v.caller());
    }
    TokenVerifier.Invalid bad =
        outcome instanceof TokenVerifier.Invalid i
            ? i
            : new TokenVerifier.Invalid(false, "unknown kid");
    return bad.expired()
        ? new Verdict.Invalid(SecurityEventKind.TOKEN_EXPIRED, bad.reason(), EXPIRED, INVALID_TOKEN)
        : new Verdict.Invalid(
            SecurityEventKind.TOKEN_INVALID,
            bad.reason(),
            Denial.of(401, "unauthorized", "invalid bearer token: " + bad.reason()),
            INVALID_TOKEN);
  }

  /** Returns the token of a {@code Bearer} credential, or null when it is not one. */
  static @Nullable String bearer(String header) {
    if (header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String t = header.substring(7);
    return t.isEmpty() || t.indexOf(' ') >= 0 ? null : t;
  }

  /** One token being verified: its outcome becomes a verdict; key fetches resume on its loop. */
  private record Attempt(Exchange exchange, Consumer<Verdict> done)
      implements Consumer<TokenVerifier.Outcome>, Executor {
    @Override
    public void accept(TokenVerifier.Outcome outcome) {
      done.accept(verdict(outcome));
    }

    @Override
    public void execute(Runnable command) {
      exchange.resume(command);
    }
  }
}
