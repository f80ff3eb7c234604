package dev.bulwark.policy.authn;

import com.nimbusds.jose.jwk.JWK;
import dev.bulwark.identity.Caller;
import dev.bulwark.identity.tokens.LocalIssuer;
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

  /** The name of the issuer of the gateway's own tokens ({@code self: true}), or null. */
  private final @Nullable String selfName;

  private final @Nullable LocalIssuer local;

  private record Issuer(
      IssuerConfig config,
      List<JWK> fixed,
      List<byte[]> secrets,
      @Nullable JwksKeys jwks,
      @Nullable LocalIssuer local) {
    Issuer(IssuerConfig config, List<JWK> fixed, List<byte[]> secrets, @Nullable JwksKeys jwks) {
      this(config, fixed, secrets, jwks, null);
    }
  }

  private Authenticator(AuthConfig config, Clock clock, @Nullable LocalIssuer local) {
    this.clock = clock;
    this.local = local;
    int max = 0;
    String self = null;
    for (IssuerConfig declared : config.issuers().values()) {
      IssuerConfig c = declared;
      Issuer i;
      if (c.keys() instanceof IssuerConfig.Local) {
        self = c.name();
        if (local != null) {
          c = c.compiledSelf(local.issuer(), local.audience());
        }
        i = new Issuer(c, List.of(), List.of(), null, local);
      } else if (c.keys() instanceof IssuerConfig.Static s) {
        i = new Issuer(c, List.copyOf(s.keys().getKeys()), List.of(), null);
      } else if (c.keys() instanceof IssuerConfig.Secret s) {
        i = new Issuer(c, List.of(), s.secrets(), null);
      } else {
        i = new Issuer(c, List.of(), List.of(), new JwksKeys((IssuerConfig.Jwks) c.keys()));
      }
      max = Math.max(max, c.maxTokenBytes());
      byIss.put(c.issuer(), i);
    }
    this.selfName = self;
    this.maxTokenBytes = max;
    this.cache = new VerifiedTokens(config.cacheSize());
  }

  /**
   * Builds the runtime of a configuration's issuers; tokens are checked against {@code clock}'s
   * time ({@code exp}, {@code nbf}, {@code iat}).
   */
  public static Authenticator compile(AuthConfig config, Clock clock) {
    return new Authenticator(config, clock, null);
  }

  /**
   * Builds the runtime of a configuration's issuers, the gateway's own ({@code self: true})
   * verified against {@code local} (null when {@code identity.tokens} is off: its tokens are then
   * all refused).
   */
  public static Authenticator compile(AuthConfig config, Clock clock, @Nullable LocalIssuer local) {
    return new Authenticator(config, clock, local);
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
          !issuers.isEmpty() && !issuers.contains(hit.issuer())
              ? new TokenVerifier.Invalid(false, "issuer not accepted on this route")
              : revokedSession(hit)
                  ? new TokenVerifier.Invalid(false, "session revoked")
                  : new TokenVerifier.Valid(hit));
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
    LocalIssuer own = issuer.local();
    if (own != null) {
      TokenVerifier.Outcome o = verifyOwn(token, parsed, issuer, own, false, done, resume);
      if (o != null) {
        done.accept(o);
      }
      return;
    }
    if (issuer.config().keys() instanceof IssuerConfig.Local) {
      done.accept(new TokenVerifier.Invalid(false, "issuer keys unavailable"));
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

  /**
   * Verifies one of the gateway's own tokens against the keys published now; on an unknown kid asks
   * the store once to reload the shared keys and answers later (returns null).
   */
  private TokenVerifier.@Nullable Outcome verifyOwn(
      String token,
      TokenVerifier.Parsed parsed,
      Issuer issuer,
      LocalIssuer own,
      boolean retried,
      Consumer<TokenVerifier.Outcome> done,
      Executor resume) {
    long now = clock.millis() / 1000;
    TokenVerifier.Outcome sig =
        TokenVerifier.checkSignature(
            parsed.jwt(), issuer.config().algorithms(), own.keys(), List.of());
    if (sig instanceof TokenVerifier.UnknownKey) {
      if (retried) {
        return new TokenVerifier.Invalid(false, "unknown kid");
      }
      own.reload(
          changed ->
              resume.execute(
                  () -> {
                    TokenVerifier.Outcome again =
                        changed
                            ? verifyOwn(token, parsed, issuer, own, true, done, resume)
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

  /** Returns whether a caller of the gateway's own tokens names a revoked (or no) session. */
  private boolean revokedSession(Caller caller) {
    LocalIssuer own = local;
    if (selfName == null || !selfName.equals(caller.issuer())) {
      return false;
    }
    List<String> sid = caller.claims().get("sid");
    return own == null || sid == null || sid.size() != 1 || own.revoked(sid.get(0));
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
      if (revokedSession(v.caller())) {
        return new TokenVerifier.Invalid(false, "session revoked or missing");
      }
      cache.put(token, v.caller(), now);
    }
    return o;
  }
}
