package dev.bulwark.policy.authn;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.identity.AssertionKeys;
import dev.bulwark.identity.Caller;
import dev.bulwark.identity.tokens.LocalIssuer;
import dev.bulwark.identity.tokens.MutableClock;
import dev.bulwark.identity.tokens.Origin;
import dev.bulwark.identity.tokens.TokenGrant;
import dev.bulwark.identity.tokens.TokenService;
import dev.bulwark.identity.tokens.TokenSubject;
import dev.bulwark.identity.tokens.TokensConfig;
import dev.bulwark.store.SigningKeyRecord;
import dev.bulwark.store.memory.MemoryStores;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The bearer provider verifying the gateway's own access tokens ({@code self: true}): from the
 * local key set (no fetch), strictly (typ, iss, aud, algorithm), keys accepted while published and
 * refused once retired, and a revoked session refused even when its token is cached.
 */
class SelfIssuedTokenTest {
  private static final Origin ORIGIN = new Origin("r", "192.0.2.1", "test");

  private final MutableClock clock = new MutableClock();
  private final MemoryStores stores = new MemoryStores(10_000, 100);

  private static TokensConfig config(TokensConfig.Algorithm alg) {
    TokensConfig c = TokensConfig.OFF;
    return new TokensConfig(
        true,
        "https://auth.example.com",
        "api",
        Duration.ofMinutes(5),
        c.refreshTtl(),
        c.refreshIdle(),
        c.reuseGrace(),
        alg,
        Duration.ofDays(30),
        10);
  }

  private TokenService service(TokensConfig.Algorithm alg) {
    return TokenService.create(config(alg), stores, SecurityEvents.of(e -> {}), clock);
  }

  private Authenticator authenticator(TokensConfig.Algorithm alg, int cacheSize) {
    IssuerConfig self =
        new IssuerConfig(
            "bulwark",
            IssuerConfig.SELF_PLACEHOLDER,
            Set.of(),
            Set.of(JWSAlgorithm.ES256, JWSAlgorithm.EdDSA),
            new IssuerConfig.Local(),
            Duration.ofSeconds(30),
            "at+jwt",
            IssuerConfig.DEFAULT_MAX_TOKEN,
            IssuerConfig.Claims.DEFAULTS);
    AuthConfig auth =
        new AuthConfig(
            Map.of("bulwark", self),
            cacheSize,
            List.of(),
            false,
            Duration.ofSeconds(60),
            Duration.ofHours(24),
            "bulwark-upstream");
    return Authenticator.compile(auth, clock, new LocalIssuer(config(alg), stores, clock));
  }

  private static TokenVerifier.Outcome verify(Authenticator a, String token) throws Exception {
    CompletableFuture<TokenVerifier.Outcome> out = new CompletableFuture<>();
    a.authenticate(token, List.of(), Runnable::run, out::complete);
    return out.get(5, TimeUnit.SECONDS);
  }

  private TokenGrant signIn(TokenService tokens) throws Exception {
    return tokens
        .signIn(
            new TokenSubject("acct-1", Set.of("user"), Set.of("acme")),
            List.of("pwd", "otp"),
            ORIGIN)
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @EnumSource(TokensConfig.Algorithm.class)
  void aTokenOfTheGatewayVerifiesFromTheLocalKeysWithItsClaims(TokensConfig.Algorithm alg)
      throws Exception {
    TokenGrant g = signIn(service(alg));
    TokenVerifier.Outcome o = verify(authenticator(alg, 100), g.accessToken());
    assertThat(o).isInstanceOf(TokenVerifier.Valid.class);
    Caller c = ((TokenVerifier.Valid) o).caller();
    assertThat(c.subject()).isEqualTo("acct-1");
    assertThat(c.issuer()).isEqualTo("bulwark");
    assertThat(c.organisations()).containsExactly("acme");
    assertThat(c.roles()).containsExactly("user");
    assertThat(c.claims().get("amr")).containsExactly("pwd", "otp");
    assertThat(c.claims().get("sid")).containsExactly(g.sessionId());
  }

  @Test
  void aTamperedTokenIsRefused() throws Exception {
    TokenGrant g = signIn(service(TokensConfig.Algorithm.ES256));
    String[] parts = g.accessToken().split("\\.");
    JWTClaimsSet claims = JWTClaimsSet.parse(new Base64URL(parts[1]).decodeToString());
    JWTClaimsSet changed = new JWTClaimsSet.Builder(claims).subject("admin").build();
    String forged =
        parts[0] + "." + Base64URL.encode(changed.toString()).toString() + "." + parts[2];
    TokenVerifier.Outcome o = verify(authenticator(TokensConfig.Algorithm.ES256, 100), forged);
    assertThat(o).isEqualTo(new TokenVerifier.Invalid(false, "bad signature"));
  }

  @Test
  void hs256SignedWithThePublicKeyAsSecretAndAlgNoneAreRefused() throws Exception {
    TokenGrant g = signIn(service(TokensConfig.Algorithm.ES256));
    SignedJWT real = SignedJWT.parse(g.accessToken());
    JWK pub = JWK.parse(stores.signingKeys().keys().get(0).publicJwk());
    for (byte[] secret :
        List.of(
            pub.toJSONString().getBytes(StandardCharsets.UTF_8),
            pub.toECKey().toECPublicKey().getEncoded())) {
      SignedJWT confused =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.HS256)
                  .keyID(pub.getKeyID())
                  .type(new JOSEObjectType("at+jwt"))
                  .build(),
              real.getJWTClaimsSet());
      byte[] padded = secret.length >= 32 ? secret : java.util.Arrays.copyOf(secret, 32);
      confused.sign(new MACSigner(padded));
      assertThat(verify(authenticator(TokensConfig.Algorithm.ES256, 100), confused.serialize()))
          .isInstanceOf(TokenVerifier.Invalid.class)
          .extracting(o -> ((TokenVerifier.Invalid) o).reason())
          .isEqualTo("algorithm HS256 not allowed");
    }
    String none =
        new PlainJWT(
                new PlainHeader.Builder().type(new JOSEObjectType("at+jwt")).build(),
                real.getJWTClaimsSet())
            .serialize();
    assertThat(verify(authenticator(TokensConfig.Algorithm.ES256, 100), none))
        .isInstanceOf(TokenVerifier.Invalid.class);
  }

  @Test
  void anAssertionOrATokenForAnotherAudienceIsRefused() throws Exception {
    signIn(service(TokensConfig.Algorithm.ES256));
    AssertionKeys assertions = AssertionKeys.generate();
    String assertion =
        assertions.sign(
            new Caller(
                "acct-1",
                "bulwark",
                Set.of(),
                Set.of(),
                Set.of(),
                Map.of(),
                clock.millis() / 1000 + 60),
            "api",
            "j",
            60);
    assertThat(verify(authenticator(TokensConfig.Algorithm.ES256, 100), assertion))
        .isInstanceOf(TokenVerifier.Invalid.class);
    SigningKeyRecord key = stores.signingKeys().keys().get(0);
    String otherAud = sign(key, "https://auth.example.com", "other-api", clock.millis() + 60_000);
    assertThat(verify(authenticator(TokensConfig.Algorithm.ES256, 100), otherAud))
        .isEqualTo(new TokenVerifier.Invalid(false, "aud does not match"));
    String ok = sign(key, "https://auth.example.com", "api", clock.millis() + 60_000);
    assertThat(verify(authenticator(TokensConfig.Algorithm.ES256, 100), ok))
        .isInstanceOf(TokenVerifier.Valid.class);
  }

  @Test
  void aRotatedOutKeyVerifiesWhilePublishedAndIsRefusedOnceRetired() throws Exception {
    TokenService tokens = service(TokensConfig.Algorithm.ES256);
    signIn(tokens);
    SigningKeyRecord first = stores.signingKeys().keys().get(0);
    String longLived =
        sign(
            first,
            "https://auth.example.com",
            "api",
            clock.millis() + Duration.ofDays(60).toMillis());
    clock.advance(Duration.ofDays(30).plusMinutes(1));
    TokenGrant after = signIn(tokens);
    assertThat(SignedJWT.parse(after.accessToken()).getHeader().getKeyID())
        .as("a new key signs after key-rotation")
        .isNotEqualTo(first.kid());
    assertThat(verify(authenticator(TokensConfig.Algorithm.ES256, 0), longLived))
        .as("still published: tokens it signed may be live")
        .isInstanceOf(TokenVerifier.Valid.class);
    clock.advance(TokensConfig.MAX_ACCESS_TTL.plus(TokensConfig.SKEW));
    assertThat(verify(authenticator(TokensConfig.Algorithm.ES256, 0), longLived))
        .as("retired")
        .isEqualTo(new TokenVerifier.Invalid(false, "unknown kid"));
  }

  @Test
  void aRevokedSessionsTokenIsRefusedEvenFromTheCache() throws Exception {
    TokenService tokens = service(TokensConfig.Algorithm.ES256);
    TokenGrant g = signIn(tokens);
    Authenticator a = authenticator(TokensConfig.Algorithm.ES256, 100);
    assertThat(verify(a, g.accessToken())).isInstanceOf(TokenVerifier.Valid.class);
    tokens.revokeAll("acct-1", ORIGIN, "sign-out-everywhere").toCompletableFuture().get();
    assertThat(verify(a, g.accessToken()))
        .isEqualTo(new TokenVerifier.Invalid(false, "session revoked"));
    assertThat(verify(authenticator(TokensConfig.Algorithm.ES256, 100), g.accessToken()))
        .isEqualTo(new TokenVerifier.Invalid(false, "session revoked or missing"));
  }

  @Test
  void withoutIdentityTokensEveryTokenNamingTheSelfIssuerIsRefused() throws Exception {
    TokenGrant g = signIn(service(TokensConfig.Algorithm.ES256));
    IssuerConfig self =
        new IssuerConfig(
            "bulwark",
            "https://auth.example.com",
            Set.of("api"),
            Set.of(JWSAlgorithm.ES256),
            new IssuerConfig.Local(),
            Duration.ofSeconds(30),
            "at+jwt",
            8192,
            IssuerConfig.Claims.DEFAULTS);
    Authenticator a =
        Authenticator.compile(
            new AuthConfig(
                Map.of("bulwark", self),
                100,
                List.of(),
                false,
                Duration.ofSeconds(60),
                Duration.ofHours(24),
                "x"),
            clock,
            null);
    assertThat(verify(a, g.accessToken()))
        .isEqualTo(new TokenVerifier.Invalid(false, "issuer keys unavailable"));
  }

  /** Signs a token as the gateway would, with a chosen audience and expiry. */
  private String sign(SigningKeyRecord key, String iss, String aud, long expMillis)
      throws Exception {
    ECKey k = JWK.parse(java.util.Objects.requireNonNull(key.privateJwk())).toECKey();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256)
                .keyID(key.kid())
                .type(new JOSEObjectType("at+jwt"))
                .build(),
            new JWTClaimsSet.Builder()
                .issuer(iss)
                .audience(aud)
                .subject("acct-1")
                .issueTime(new Date(clock.millis()))
                .expirationTime(new Date(expMillis))
                .claim("sid", "no-such-session")
                .build());
    jwt.sign(new ECDSASigner(k));
    return jwt.serialize();
  }
}
