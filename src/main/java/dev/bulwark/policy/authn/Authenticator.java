package dev.bulwark.policy.authn;

import com.nimbusds.jose.jwk.JWK;
import dev.bulwark.identity.Caller;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Turns a bearer token into a {@link Caller} or a refusal, for every issuer of one compiled
 * configuration: verified-token cache first, then strict parsing, the issuer named by {@code iss},
 * its keys (waiting for a JWKS fetch only when no key is known yet or the {@code kid} is new), the
 * signature and the claims. Shared by all event loops; work after a key fetch resumes on the
 * requester's own loop.
 */
public final class Authenticator {
  private final Map<String, Issuer> byIss = new HashMap<>();
  private final VerifiedTokens cache;
  private final int maxTokenBytes;
  private final Clock clock;

  private record Issuer(
      IssuerConfig config, List<JWK> fixed, List<byte[]> secrets, @Nullable JwksKeys jwks) {}

  private Authenticator(AuthConfig config, Clock clock) {
    this.clock = clock;
    int max = 0;
    for (IssuerConfig c : config.issuers().values()) {
      max = Math.max(max, c.maxTokenBytes());
      Issuer i;
      if (c.keys() instanceof IssuerConfig.Static s) {
        i = new Issuer(c, List.copyOf(s.keys().getKeys()), List.of(), null);
      } else if (c.keys() instanceof IssuerConfig.Secret s) {
        i = new Issuer(c, List.of(), s.secrets(), null);
      } else {
        i = new Issuer(c, List.of(), List.of(), new JwksKeys((IssuerConfig.Jwks) c.keys()));
      }
      byIss.put(c.issuer(), i);
    }
    this.maxTokenBytes = max;
    this.cache = new VerifiedTokens(config.cacheSize());
  }

  /**
   * Builds the runtime of a configuration's issuers; tokens are checked against {@code clock}'s
   * time ({@code exp}, {@code nbf}, {@code iat}).
   */
  public static Authenticator compile(AuthConfig config, Clock clock) {
    return new Authenticator(config, clock);
  }

  /** Returns whether any issuer is configured. */
  public boolean hasIssuers() {
    return !byIss.isEmpty();
  }

  /**
   * Verifies a token for a route that accepts the named issuers (all when empty); {@code done} runs
   * synchronously, or after a key fetch through {@code resume} (which brings the work back to the
   * requester's event loop before the signature is checked).
   */
  public void authenticate(
      String token, List<String> issuers, Executor resume, Consumer<TokenVerifier.Outcome> done) {
    long now = clock.millis() / 1000;
    Caller hit = cache.get(token, now);
    if (hit != null) {
      done.accept(
          issuers.isEmpty() || issuers.contains(hit.issuer())
              ? new TokenVerifier.Valid(hit)
              : new TokenVerifier.Invalid(false, "issuer not accepted on this route"));
      return;
    }
    TokenVerifier.Parsed parsed = TokenVerifier.parse(token, maxTokenBytes);
    if (parsed == null) {
      done.accept(new TokenVerifier.Invalid(false, "malformed or oversized token"));
      return;
    }
    String iss = parsed.claims().getIssuer();
    Issuer issuer = iss == null ? null : byIss.get(iss);
    if (issuer == null) {
      done.accept(new TokenVerifier.Invalid(false, "unknown issuer"));
      return;
    }
    if (!issuers.isEmpty() && !issuers.contains(issuer.config().name())) {
      done.accept(new TokenVerifier.Invalid(false, "issuer not accepted on this route"));
      return;
    }
    if (token.length() > issuer.config().maxTokenBytes()) {
      done.accept(new TokenVerifier.Invalid(false, "token larger than the issuer's limit"));
      return;
    }
    JwksKeys jwks = issuer.jwks();
    if (jwks == null) {
      done.accept(finish(token, parsed, issuer, issuer.fixed(), now));
      return;
    }
    if (!jwks.loaded()) {
      jwks.refresh(
          ok ->
              resume.execute(
                  () -> {
                    TokenVerifier.Outcome o =
                        verifyWithJwks(token, parsed, issuer, jwks, null, done, resume);
                    if (o != null) {
                      done.accept(o);
                    }
                  }));
      return;
    }
    jwks.refreshIfStale();
    TokenVerifier.Outcome o = verifyWithJwks(token, parsed, issuer, jwks, null, done, resume);
    if (o != null) {
      done.accept(o);
    }
  }

  /**
   * Verifies against the JWKS keys known now; on an unknown kid asks for one refresh and answers
   * later (returns null), otherwise returns the outcome.
   */
  private TokenVerifier.@Nullable Outcome verifyWithJwks(
      String token,
      TokenVerifier.Parsed parsed,
      Issuer issuer,
      JwksKeys jwks,
      @Nullable String retriedKid,
      Consumer<TokenVerifier.Outcome> done,
      Executor resume) {
    long now = clock.millis() / 1000;
    List<JWK> keys = jwks.current();
    if (keys.isEmpty()) {
      return new TokenVerifier.Invalid(false, "issuer keys unavailable");
    }
    TokenVerifier.Outcome sig =
        TokenVerifier.checkSignature(parsed.jwt(), issuer.config().algorithms(), keys, List.of());
    if (sig instanceof TokenVerifier.UnknownKey u) {
      if (retriedKid != null) {
        return new TokenVerifier.Invalid(false, "unknown kid");
      }
      jwks.refresh(
          ok ->
              resume.execute(
                  () -> {
                    TokenVerifier.Outcome again =
                        ok
                            ? verifyWithJwks(token, parsed, issuer, jwks, u.kid(), done, resume)
                            : new TokenVerifier.Invalid(false, "unknown kid");
                    if (again != null) {
                      done.accept(again);
                    }
                  }));
      return null;
    }
    if (sig != null) {
      return sig;
    }
    return claims(token, parsed, issuer, now);
  }

  private TokenVerifier.Outcome finish(
      String token, TokenVerifier.Parsed parsed, Issuer issuer, List<JWK> keys, long now) {
    TokenVerifier.Outcome sig =
        TokenVerifier.checkSignature(
            parsed.jwt(), issuer.config().algorithms(), keys, issuer.secrets());
    if (sig instanceof TokenVerifier.UnknownKey) {
      return new TokenVerifier.Invalid(false, "unknown kid");
    }
    if (sig != null) {
      return sig;
    }
    return claims(token, parsed, issuer, now);
  }

  private TokenVerifier.Outcome claims(
      String token, TokenVerifier.Parsed parsed, Issuer issuer, long now) {
    TokenVerifier.Outcome o =
        TokenVerifier.checkClaims(parsed.jwt(), parsed.claims(), issuer.config(), now);
    if (o instanceof TokenVerifier.Valid v) {
      cache.put(token, v.caller(), now);
    }
    return o;
  }
}
