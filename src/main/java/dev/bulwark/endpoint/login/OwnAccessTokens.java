package dev.bulwark.endpoint.login;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.bulwark.identity.tokens.LocalIssuer;
import dev.bulwark.identity.tokens.TokenService;
import dev.bulwark.policy.authn.TokenVerifier;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Verifies an access token of this gateway as "sign out everywhere" needs it: signature by a key
 * published now (reloading the shared keys once for an unknown key id), {@code typ: at+jwt}, the
 * configured {@code iss} and {@code aud}, not expired (30 s of skew), and a session that was not
 * revoked; answers the account it speaks for and its session, or null.
 */
final class OwnAccessTokens {
  private static final Set<JWSAlgorithm> ALGORITHMS =
      Set.of(JWSAlgorithm.ES256, JWSAlgorithm.EdDSA);
  private static final int MAX_TOKEN = 8 * 1024;
  private static final long SKEW_SECONDS = 30;

  private final LocalIssuer issuer;
  private final Clock clock;

  OwnAccessTokens(LocalIssuer issuer, Clock clock) {
    this.issuer = issuer;
    this.clock = clock;
  }

  /** Whom a valid token speaks for: its account ({@code sub}) and session ({@code sid}). */
  record Caller(String account, String session) {}

  /** Hands {@code done} the account of a valid token, or null (at once or on a store thread). */
  void account(String token, Consumer<@Nullable String> done) {
    caller(token, c -> done.accept(c == null ? null : c.account()));
  }

  /** Hands {@code done} the caller of a valid token, or null (at once or on a store thread). */
  void caller(String token, Consumer<@Nullable Caller> done) {
    TokenVerifier.Parsed parsed = TokenVerifier.parse(token, MAX_TOKEN);
    if (parsed == null) {
      done.accept(null);
      return;
    }
    TokenVerifier.Outcome sig =
        TokenVerifier.checkSignature(parsed.jwt(), ALGORITHMS, issuer.keys(), List.of());
    if (sig instanceof TokenVerifier.UnknownKey) {
      issuer.reload(
          changed -> {
            if (!changed) {
              done.accept(null);
              return;
            }
            TokenVerifier.Outcome again =
                TokenVerifier.checkSignature(parsed.jwt(), ALGORITHMS, issuer.keys(), List.of());
            done.accept(again == null ? claims(parsed) : null);
          });
      return;
    }
    done.accept(sig == null ? claims(parsed) : null);
  }

  private @Nullable Caller claims(TokenVerifier.Parsed parsed) {
    JOSEObjectType typ = parsed.jwt().getHeader().getType();
    if (typ == null || !TokenService.ACCESS_TOKEN_TYPE.equals(typ.getType())) {
      return null;
    }
    JWTClaimsSet c = parsed.claims();
    Date exp = c.getExpirationTime();
    long now = clock.millis() / 1000;
    if (!issuer.issuer().equals(c.getIssuer())
        || c.getAudience() == null
        || !c.getAudience().contains(issuer.audience())
        || exp == null
        || exp.getTime() / 1000 + SKEW_SECONDS <= now) {
      return null;
    }
    Object sub = c.getClaim("sub");
    Object sid = c.getClaim("sid");
    if (!(sub instanceof String s) || s.isEmpty() || !(sid instanceof String session)) {
      return null;
    }
    return issuer.revoked(session) ? null : new Caller(s, session);
  }
}
