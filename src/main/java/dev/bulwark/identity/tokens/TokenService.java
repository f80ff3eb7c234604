package dev.bulwark.identity.tokens;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.store.RefreshFamily;
import dev.bulwark.store.RefreshTokenStore;
import dev.bulwark.store.Rotation;
import dev.bulwark.store.Stores;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The gateway's token issuer, as the login endpoints use it: a sign-in starts a session (a refresh
 * family) and returns an access token and a refresh token; a refresh exchanges the refresh token
 * for new ones, atomically, once (a token rotated away and presented again revokes the whole
 * session, except within the reuse grace, which answers the same successor); sign-out revokes one
 * session, "sign out everywhere" all of an account's; access tokens of revoked sessions are refused
 * by the bearer provider from then on. Every stage completes exceptionally when the store failed
 * (the endpoint answers 503); refusals are values.
 */
public final class TokenService {
  /** The {@code typ} of access tokens (RFC 9068), which the bearer provider requires. */
  public static final String ACCESS_TOKEN_TYPE = "at+jwt";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_AMR = 8;

  private final TokensConfig config;
  private final RefreshTokenStore families;
  private final TokenKeys keys;
  private final SecurityEvents events;
  private final Clock clock;

  private TokenService(TokensConfig config, Stores stores, SecurityEvents events, Clock clock) {
    this.config = config;
    this.families = stores.refreshTokens();
    this.keys = new TokenKeys(stores.signingKeys(), clock);
    this.events = events;
    this.clock = clock;
  }

  /**
   * Returns the issuer of a configuration ({@code identity.tokens}, which must be enabled) over the
   * gateway's stores.
   */
  public static TokenService create(
      TokensConfig config, Stores stores, SecurityEvents events, Clock clock) {
    if (!config.enabled()) {
      throw new IllegalArgumentException("identity.tokens: not configured");
    }
    return new TokenService(
        config, requireNonNull(stores, "stores"), requireNonNull(events, "events"), clock);
  }

  /** Returns the signing keys. */
  public TokenKeys keys() {
    return keys;
  }

  /**
   * Starts a session for a subject that has just proved itself with {@code amr} (such as {@code
   * ["pwd"]} or {@code ["pwd", "otp"]}); completes with its first tokens.
   */
  public CompletionStage<TokenGrant> signIn(TokenSubject subject, List<String> amr, Origin origin) {
    List<String> methods = checkedAmr(amr);
    long now = clock.millis();
    String token = RefreshTokenFormat.mint();
    RefreshTokenFormat.Parsed parsed = requireNonNull(RefreshTokenFormat.parse(token));
    String sid = parsed.sid();
    RefreshFamily family =
        new RefreshFamily(
            sid,
            subject.account(),
            now,
            now,
            now + config.refreshTtl().toMillis(),
            config.refreshIdle().toMillis(),
            0,
            RefreshTokenFormat.hash(token),
            null,
            0,
            null,
            methods,
            origin.clientAddress(),
            origin.userAgent());
    return families
        .create(family, config.maxSessions(), config.keepRevoked())
        .thenCompose(f -> accessToken(subject, methods, sid, now))
        .thenApply(at -> new TokenGrant(at, config.accessTtl().toSeconds(), token, sid));
  }

  /**
   * Exchanges a refresh token for new tokens, with the account's roles and memberships as {@code
   * accounts} knows them now.
   */
  public CompletionStage<RefreshOutcome> refresh(
      String refreshToken, Origin origin, AccountClaims accounts) {
    RefreshTokenFormat.Parsed parsed = RefreshTokenFormat.parse(refreshToken);
    if (parsed == null) {
      return CompletableFuture.completedFuture(
          new RefreshOutcome.Refused(RefreshOutcome.Reason.INVALID));
    }
    long now = clock.millis();
    String sid = parsed.sid();
    String nonce = RefreshTokenFormat.nonce();
    String next = RefreshTokenFormat.successor(parsed, nonce);
    return families
        .rotate(
            sid,
            RefreshTokenFormat.hash(refreshToken),
            RefreshTokenFormat.hash(next),
            nonce,
            now,
            config.reuseGrace(),
            config.keepRevoked(),
            origin.clientAddress())
        .thenCompose(
            rotation -> {
              if (rotation instanceof Rotation.Exchanged x) {
                String successor =
                    x.nonce().equals(nonce)
                        ? next
                        : RefreshTokenFormat.successor(parsed, x.nonce());
                return granted(x.family(), successor, x.repeated(), origin, accounts, now);
              }
              if (rotation instanceof Rotation.Reused r) {
                events.publish(
                    SecurityEvent.refreshTokenReused(
                        origin.requestId(), origin.clientAddress(), r.family().account(), sid));
                return refused(RefreshOutcome.Reason.REUSED);
              }
              Rotation.Refused no = (Rotation.Refused) rotation;
              return refused(
                  no.why() == Rotation.Refusal.ENDED
                      ? RefreshOutcome.Reason.ENDED
                      : RefreshOutcome.Reason.INVALID);
            });
  }

  private CompletionStage<RefreshOutcome> granted(
      RefreshFamily family,
      String successor,
      boolean repeated,
      Origin origin,
      AccountClaims accounts,
      long now) {
    return accounts
        .current(family.account())
        .thenCompose(
            subject -> {
              if (subject == null || !subject.account().equals(family.account())) {
                return families
                    .revoke(family.sid(), now, config.keepRevoked())
                    .thenApply(
                        live -> {
                          events.publish(
                              SecurityEvent.sessionsRevoked(
                                  origin.requestId(),
                                  origin.clientAddress(),
                                  family.account(),
                                  family.sid(),
                                  1,
                                  "account-gone"));
                          return new RefreshOutcome.Refused(RefreshOutcome.Reason.ACCOUNT_GONE);
                        });
              }
              return accessToken(subject, family.amr(), family.sid(), now)
                  .thenApply(
                      at ->
                          new RefreshOutcome.Granted(
                              new TokenGrant(
                                  at, config.accessTtl().toSeconds(), successor, family.sid()),
                              repeated));
            });
  }

  private static CompletionStage<RefreshOutcome> refused(RefreshOutcome.Reason reason) {
    return CompletableFuture.completedFuture(new RefreshOutcome.Refused(reason));
  }

  /**
   * Signs out the session of a refresh token (any token of the session, current or rotated away);
   * completes with whether a live session was revoked.
   */
  public CompletionStage<Boolean> signOut(String refreshToken, Origin origin) {
    RefreshTokenFormat.Parsed parsed = RefreshTokenFormat.parse(refreshToken);
    if (parsed == null) {
      return CompletableFuture.completedFuture(false);
    }
    return revokeSession(parsed.sid(), origin, "sign-out");
  }

  /**
   * Revokes one session by its id (a user's own session list, the admin API); completes with
   * whether it was live. {@code by} names who asked, for the security event.
   */
  public CompletionStage<Boolean> revokeSession(String sessionId, Origin origin, String by) {
    long now = clock.millis();
    return families
        .revoke(sessionId, now, config.keepRevoked())
        .thenApply(
            live -> {
              if (live) {
                events.publish(
                    SecurityEvent.sessionsRevoked(
                        origin.requestId(), origin.clientAddress(), "-", sessionId, 1, by));
              }
              return live;
            });
  }

  /**
   * Revokes every session of an account ("sign out everywhere", a password reset); completes with
   * how many were live. Access tokens of those sessions are refused from then on (on every gateway
   * of a cluster within about a second).
   */
  public CompletionStage<Integer> revokeAll(String account, Origin origin, String by) {
    long now = clock.millis();
    return families
        .revokeAccount(account, now, config.keepRevoked())
        .thenApply(
            n -> {
              events.publish(
                  SecurityEvent.sessionsRevoked(
                      origin.requestId(), origin.clientAddress(), account, "*", n, by));
              return n;
            });
  }

  /** Completes with the live sessions of an account, oldest first. */
  public CompletionStage<List<SessionInfo>> sessions(String account) {
    long now = clock.millis();
    return families
        .sessions(account, now)
        .thenApply(
            all -> {
              List<SessionInfo> out = new ArrayList<>(all.size());
              for (RefreshFamily f : all) {
                out.add(
                    new SessionInfo(
                        f.sid(),
                        Instant.ofEpochMilli(f.createdMillis()),
                        Instant.ofEpochMilli(f.lastUsedMillis()),
                        Instant.ofEpochMilli(f.endsAtMillis()),
                        f.amr(),
                        f.address(),
                        f.userAgent()));
              }
              return out;
            });
  }

  /** Completes with a signed access token for a subject of session {@code sid}. */
  CompletionStage<String> accessToken(
      TokenSubject subject, List<String> amr, String sid, long nowMillis) {
    return keys.signer(config)
        .thenApply(
            signer -> {
              byte[] id = new byte[16];
              RANDOM.nextBytes(id);
              JWTClaimsSet claims =
                  new JWTClaimsSet.Builder()
                      .issuer(config.issuer())
                      .subject(subject.account())
                      .audience(config.audience())
                      .issueTime(new Date(nowMillis))
                      .expirationTime(new Date(nowMillis + config.accessTtl().toMillis()))
                      .jwtID(Base64.getUrlEncoder().withoutPadding().encodeToString(id))
                      .claim("sid", sid)
                      .claim("amr", List.copyOf(amr))
                      .claim("roles", List.copyOf(subject.roles()))
                      .claim("orgs", List.copyOf(subject.organisations()))
                      .build();
              SignedJWT jwt =
                  new SignedJWT(
                      new JWSHeader.Builder(signer.algorithm())
                          .keyID(signer.kid())
                          .type(new JOSEObjectType(ACCESS_TOKEN_TYPE))
                          .build(),
                      claims);
              try {
                jwt.sign(signer.signer());
              } catch (JOSEException e) {
                throw new IllegalStateException("access-token signing failed", e);
              }
              return jwt.serialize();
            });
  }

  private static List<String> checkedAmr(List<String> amr) {
    if (amr.isEmpty() || amr.size() > MAX_AMR) {
      throw new IllegalArgumentException(
          "amr: " + amr.size() + " methods (expected: 1 to " + MAX_AMR + ")");
    }
    for (String m : amr) {
      if (!m.matches("[a-z]{1,16}")) {
        throw new IllegalArgumentException("amr: " + m + " (expected: such as pwd or otp)");
      }
    }
    return List.copyOf(amr);
  }
}
