package dev.bulwark.policy.authn;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.bulwark.identity.Caller;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every known way to forge or bend a bearer token, against the verification layer. */
class TokenVerifierTest {
  private static Tokens tokens;

  @BeforeAll
  static void keys() throws Exception {
    tokens = new Tokens("k1");
  }

  static IssuerConfig issuer(
      Set<JWSAlgorithm> algs,
      IssuerConfig.Keys keys,
      @org.jspecify.annotations.Nullable String typ) {
    return new IssuerConfig(
        "test",
        Tokens.ISS,
        Set.of(Tokens.AUD, "other-api"),
        algs,
        keys,
        Duration.ofSeconds(30),
        typ,
        8192,
        IssuerConfig.Claims.DEFAULTS);
  }

  static IssuerConfig asymmetric() {
    return issuer(
        Set.of(JWSAlgorithm.ES256, JWSAlgorithm.RS256),
        new IssuerConfig.Static(
            new JWKSet(List.<JWK>of(tokens.ec.toPublicJWK(), tokens.rsa.toPublicJWK()))),
        null);
  }

  static TokenVerifier.Outcome verify(IssuerConfig issuer, String token) {
    Authenticator a =
        Authenticator.compile(
            new AuthConfig(
                Map.of("test", issuer),
                0,
                List.of(),
                false,
                Duration.ofSeconds(60),
                Duration.ofHours(1),
                "x"),
            java.time.Clock.systemUTC());
    AtomicReference<TokenVerifier.Outcome> out = new AtomicReference<>();
    a.authenticate(token, List.of(), Runnable::run, out::set);
    assertThat(out.get()).as("static keys answer synchronously").isNotNull();
    return java.util.Objects.requireNonNull(out.get());
  }

  static TokenVerifier.Outcome verify(String token) {
    return verify(asymmetric(), token);
  }

  static void refused(String token) {
    assertThat(verify(token)).isInstanceOf(TokenVerifier.Invalid.class);
  }

  @Test
  void validEs256AndRs256TokensGiveTheCaller() throws Exception {
    String t =
        tokens.es256(
            b ->
                b.claim("roles", List.of("admin"))
                    .claim("orgs", List.of("acme"))
                    .claim("scope", "read write"));
    TokenVerifier.Outcome o = verify(t);
    assertThat(o).isInstanceOf(TokenVerifier.Valid.class);
    Caller c = ((TokenVerifier.Valid) o).caller();
    assertThat(c.subject()).isEqualTo("alice");
    assertThat(c.roles()).containsExactly("admin");
    assertThat(c.organisations()).containsExactly("acme");
    assertThat(c.scopes()).containsExactlyInAnyOrder("read", "write");
    assertThat(verify(tokens.rs256(Tokens.claims("bob").build())))
        .isInstanceOf(TokenVerifier.Valid.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
  void algNoneInEveryCasingIsRefused(String alg) throws Exception {
    String header = "{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}";
    String payload = Tokens.claimsJson("mallory");
    refused(Tokens.b64(header) + "." + Tokens.b64(payload) + ".");
    refused(Tokens.raw(header, payload, new byte[] {1, 2, 3}));
    // the same with a kid that exists
    refused(Tokens.raw("{\"alg\":\"" + alg + "\",\"kid\":\"k1\"}", payload, new byte[64]));
  }

  @Test
  void rs256TokenResignedHs256WithThePublicKeyAsSecretIsRefused() throws Exception {
    JWTClaimsSet c = Tokens.claims("mallory").build();
    for (byte[] secret :
        List.of(
            tokens.rsa.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8),
            tokens.rsa.toRSAPublicKey().getEncoded(),
            tokens.ec.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8))) {
      refused(
          Tokens.hs256(
              secret, new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1-rsa").build(), c));
      refused(Tokens.hs256(secret, new JWSHeader.Builder(JWSAlgorithm.HS256).build(), c));
    }
  }

  @Test
  void psychicSignaturesWithZeroOrOutOfRangeRAndSAreRefused() throws Exception {
    String header = "{\"alg\":\"ES256\",\"kid\":\"k1\"}";
    String payload = Tokens.claimsJson("mallory");
    BigInteger n = Curve.P_256.toECParameterSpec().getOrder();
    byte[] order = fixed(n);
    byte[] one = fixed(BigInteger.ONE);
    List<byte[][]> rs =
        List.of(
            new byte[][] {new byte[32], new byte[32]},
            new byte[][] {order, order},
            new byte[][] {new byte[32], one},
            new byte[][] {one, new byte[32]},
            new byte[][] {order, one},
            new byte[][] {fixed(n.add(BigInteger.ONE).mod(BigInteger.TWO.pow(256))), one});
    for (byte[][] pair : rs) {
      byte[] sig = new byte[64];
      System.arraycopy(pair[0], 0, sig, 0, 32);
      System.arraycopy(pair[1], 0, sig, 32, 32);
      refused(Tokens.raw(header, payload, sig));
    }
    // DER instead of P1363, and a short signature
    refused(
        Tokens.raw(header, payload, new byte[] {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00}));
    refused(Tokens.raw(header, payload, new byte[63]));
  }

  /**
   * An ECDSA signature (r, s) has a twin (r, n - s) that verifies as well. The twin is accepted on
   * purpose: JOSE does not require the low-s form, and common signers (the JDK, OpenSSL, Go,
   * Nimbus, which signs the demo's tokens) do not normalise, so refusing s > n/2 would refuse about
   * half of all valid ES256 tokens. The twin names the same caller with the same expiry; nothing in
   * the gateway keys on the token's text except the verification cache.
   */
  @Test
  void theHighSTwinOfAnEcdsaSignatureNamesTheSameCaller() throws Exception {
    BigInteger n = Curve.P_256.toECParameterSpec().getOrder();
    String token = tokens.es256(Tokens.claims("alice").build());
    int dot = token.lastIndexOf('.');
    byte[] sig = Base64URL.from(token.substring(dot + 1)).decode();
    byte[] twin = sig.clone();
    BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(sig, 32, 64));
    System.arraycopy(fixed(n.subtract(s)), 0, twin, 32, 32);
    String other = token.substring(0, dot + 1) + Base64URL.encode(twin);
    assertThat(other).isNotEqualTo(token);
    TokenVerifier.Outcome a = verify(token);
    TokenVerifier.Outcome b = verify(other);
    assertThat(a).isInstanceOf(TokenVerifier.Valid.class);
    assertThat(b).isInstanceOf(TokenVerifier.Valid.class);
    assertThat(((TokenVerifier.Valid) b).caller()).isEqualTo(((TokenVerifier.Valid) a).caller());
  }

  private static byte[] fixed(BigInteger v) {
    byte[] b = v.toByteArray();
    byte[] out = new byte[32];
    int copy = Math.min(32, b.length);
    System.arraycopy(b, b.length - copy, out, 32 - copy, copy);
    return out;
  }

  @Test
  void hostileKidsAreRefusedWithoutLookupSurprises() throws Exception {
    JWTClaimsSet c = Tokens.claims("mallory").build();
    for (String kid :
        List.of("../../../../etc/passwd", "k1' OR '1'='1", "k1\u0000", "x".repeat(10 * 1024), "")) {
      String t = tokens.es256(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid), c);
      refused(t);
    }
  }

  @Test
  void keysNamedByTheTokenAreNeverUsed() throws Exception {
    ECKey attacker = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    JWTClaimsSet c = Tokens.claims("mallory").claim("roles", List.of("admin")).build();
    JWSHeader.Builder h =
        new JWSHeader.Builder(JWSAlgorithm.ES256)
            .keyID("k1")
            .jwkURL(URI.create("https://evil.example/jwks.json"))
            .x509CertURL(URI.create("https://evil.example/cert.pem"))
            .jwk(attacker.toPublicJWK());
    refused(Tokens.sign(h.build(), c, new ECDSASigner(attacker)));
    refused(
        Tokens.sign(
            new JWSHeader.Builder(JWSAlgorithm.ES256).jwk(attacker.toPublicJWK()).build(),
            c,
            new ECDSASigner(attacker)));
    refused(
        Tokens.sign(
            new JWSHeader.Builder(JWSAlgorithm.ES256)
                .x509CertChain(List.of(Base64URL.encode("not a cert")))
                .build(),
            c,
            new ECDSASigner(attacker)));
  }

  @Test
  void expiredNotYetValidAndFutureIatAreRefusedBeyondTheSkew() throws Exception {
    long now = System.currentTimeMillis();
    TokenVerifier.Outcome expired =
        verify(tokens.es256(b -> b.expirationTime(new Date(now - 60_000))));
    assertThat(expired).isEqualTo(new TokenVerifier.Invalid(true, "expired"));
    refused(tokens.es256(b -> b.notBeforeTime(new Date(now + 120_000))));
    refused(tokens.es256(b -> b.issueTime(new Date(now + 3_600_000))));
    refused(tokens.es256(b -> b.expirationTime(null)));
    // inside the 30s skew
    assertThat(verify(tokens.es256(b -> b.expirationTime(new Date(now - 10_000)))))
        .isInstanceOf(TokenVerifier.Valid.class);
    assertThat(verify(tokens.es256(b -> b.notBeforeTime(new Date(now + 10_000)))))
        .isInstanceOf(TokenVerifier.Valid.class);
  }

  @Test
  void wrongOrMissingIssuerAndAudienceAreRefused() throws Exception {
    refused(tokens.es256(b -> b.issuer("https://evil.example/")));
    refused(tokens.es256(b -> b.issuer(null)));
    refused(tokens.es256(b -> b.issuer(Tokens.ISS + "/")));
    refused(tokens.es256(b -> b.audience("someone-else")));
    refused(tokens.es256(b -> b.audience((String) null)));
    refused(tokens.es256(b -> b.subject(null)));
  }

  @Test
  void audienceAsAnArrayMustContainOursAndOnlyStrings() throws Exception {
    assertThat(verify(tokens.es256(b -> b.audience(List.of("x", Tokens.AUD)))))
        .isInstanceOf(TokenVerifier.Valid.class);
    refused(tokens.es256(b -> b.audience(List.of("x", "y"))));
    refused(tokens.es256(b -> b.audience(List.of())));
    String nested =
        "{\"iss\":\""
            + Tokens.ISS
            + "\",\"sub\":\"m\",\"aud\":[[\"api\"]],\"exp\":"
            + (System.currentTimeMillis() / 1000 + 600)
            + "}";
    refused(tokens.rawEs256("{\"alg\":\"ES256\",\"kid\":\"k1\"}", nested));
  }

  @Test
  void tamperedHeaderPayloadOrSignatureIsRefused() throws Exception {
    String t = tokens.es256(Tokens.claims("alice").build());
    String[] p = t.split("\\.");
    String otherPayload =
        Tokens.b64(Tokens.claims("admin").claim("roles", List.of("admin")).build().toString());
    refused(p[0] + "." + otherPayload + "." + p[2]);
    refused(Tokens.b64("{\"alg\":\"ES256\",\"kid\":\"k1\",\"x\":1}") + "." + p[1] + "." + p[2]);
    char last = p[2].charAt(10);
    refused(
        p[0]
            + "."
            + p[1]
            + "."
            + p[2].substring(0, 10)
            + (last == 'A' ? 'B' : 'A')
            + p[2].substring(11));
  }

  @Test
  void malformedShapesAreRefused() throws Exception {
    String t = tokens.es256(Tokens.claims("alice").build());
    String[] p = t.split("\\.");
    for (String bad :
        List.of(
            t.substring(0, t.length() - 5),
            t + "=",
            t + "==",
            p[0] + "=." + p[1] + "." + p[2],
            p[0] + "." + p[1] + "+/." + p[2],
            p[0] + "." + p[1],
            t + ".x.y",
            p[0] + "." + p[1] + "." + p[2] + ".",
            "." + p[1] + "." + p[2],
            p[0] + ".." + p[2],
            " " + t,
            t.replace('.', ','),
            "x".repeat(100 * 1024))) {
      refused(bad);
    }
  }

  @Test
  void nestedAndOversizedTokensAreRefused() throws Exception {
    String inner = tokens.es256(Tokens.claims("alice").build());
    String header = "{\"alg\":\"ES256\",\"kid\":\"k1\",\"cty\":\"JWT\"}";
    refused(tokens.rawEs256(header, "\"" + inner + "\""));
    String big = tokens.es256(b -> b.claim("pad", "x".repeat(100 * 1024)));
    refused(big);
  }

  @Test
  void duplicateClaimsOrHeaderParametersAreRefused() throws Exception {
    long exp = System.currentTimeMillis() / 1000 + 600;
    String dupSub =
        "{\"iss\":\""
            + Tokens.ISS
            + "\",\"aud\":\"api\",\"sub\":\"alice\",\"sub\":\"admin\",\"exp\":"
            + exp
            + "}";
    refused(tokens.rawEs256("{\"alg\":\"ES256\",\"kid\":\"k1\"}", dupSub));
    String ok =
        "{\"iss\":\"" + Tokens.ISS + "\",\"aud\":\"api\",\"sub\":\"alice\",\"exp\":" + exp + "}";
    assertThat(verify(tokens.rawEs256("{\"alg\":\"ES256\",\"kid\":\"k1\"}", ok)))
        .isInstanceOf(TokenVerifier.Valid.class);
    refused(tokens.rawEs256("{\"alg\":\"ES256\",\"kid\":\"k1\",\"alg\":\"none\"}", ok));
  }

  @Test
  void unknownCriticalHeadersAreRefused() throws Exception {
    String exp = "" + (System.currentTimeMillis() / 1000 + 600);
    String body =
        "{\"iss\":\"" + Tokens.ISS + "\",\"aud\":\"api\",\"sub\":\"a\",\"exp\":" + exp + "}";
    refused(
        tokens.rawEs256("{\"alg\":\"ES256\",\"kid\":\"k1\",\"crit\":[\"exp2\"],\"exp2\":1}", body));
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "null", "[\"b64\"]", "[\"exp\"]"})
  void anyCritHeaderIsRefusedEvenAnEmptyList(String crit) throws Exception {
    // RFC 7515 section 4.1.11: crit, when present, is a non-empty list of extensions the
    // recipient must understand. The gateway understands none, so an empty list (malformed),
    // null, or a list naming a registered parameter is refused like an unknown extension.
    String exp = "" + (System.currentTimeMillis() / 1000 + 600);
    String body =
        "{\"iss\":\"" + Tokens.ISS + "\",\"aud\":\"api\",\"sub\":\"a\",\"exp\":" + exp + "}";
    assertThat(verify(tokens.rawEs256("{\"alg\":\"ES256\",\"kid\":\"k1\"}", body)))
        .as("the same token without crit")
        .isInstanceOf(TokenVerifier.Valid.class);
    TokenVerifier.Outcome o =
        verify(tokens.rawEs256("{\"alg\":\"ES256\",\"kid\":\"k1\",\"crit\":" + crit + "}", body));
    assertThat(o).isInstanceOf(TokenVerifier.Invalid.class);
  }

  @Test
  void typIsCheckedWhenConfigured() throws Exception {
    IssuerConfig typed =
        issuer(
            Set.of(JWSAlgorithm.ES256),
            new IssuerConfig.Static(new JWKSet(tokens.ec.toPublicJWK())),
            "at+jwt");
    JWTClaimsSet c = Tokens.claims("alice").build();
    assertThat(verify(typed, tokens.es256(tokens.header().type(new JOSEObjectType("at+jwt")), c)))
        .isInstanceOf(TokenVerifier.Valid.class);
    assertThat(
            verify(
                typed,
                tokens.es256(tokens.header().type(new JOSEObjectType("application/at+jwt")), c)))
        .isInstanceOf(TokenVerifier.Valid.class);
    assertThat(verify(typed, tokens.es256(tokens.header(), c)))
        .isInstanceOf(TokenVerifier.Invalid.class);
    assertThat(
            verify(typed, tokens.es256(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1"), c)))
        .isInstanceOf(TokenVerifier.Invalid.class);
  }

  @Test
  void algorithmOutsideTheAllowListIsRefusedEvenWithAGoodSignature() throws Exception {
    IssuerConfig rsOnly =
        issuer(
            Set.of(JWSAlgorithm.RS256),
            new IssuerConfig.Static(
                new JWKSet(List.<JWK>of(tokens.ec.toPublicJWK(), tokens.rsa.toPublicJWK()))),
            null);
    assertThat(verify(rsOnly, tokens.es256(Tokens.claims("a").build())))
        .isInstanceOf(TokenVerifier.Invalid.class);
  }

  @Test
  void hmacIssuerAcceptsOnlyHmacWithItsSecret() throws Exception {
    byte[] secret = "0123456789abcdef0123456789abcdef-secret".getBytes(StandardCharsets.UTF_8);
    IssuerConfig hmac = issuer(Set.of(JWSAlgorithm.HS256), new IssuerConfig.Secret(secret), null);
    JWTClaimsSet c = Tokens.claims("svc").build();
    assertThat(verify(hmac, Tokens.hs256(secret, new JWSHeader(JWSAlgorithm.HS256), c)))
        .isInstanceOf(TokenVerifier.Valid.class);
    byte[] other = "another-secret-another-secret-another".getBytes(StandardCharsets.UTF_8);
    assertThat(verify(hmac, Tokens.hs256(other, new JWSHeader(JWSAlgorithm.HS256), c)))
        .isInstanceOf(TokenVerifier.Invalid.class);
    assertThat(verify(hmac, tokens.es256(c))).isInstanceOf(TokenVerifier.Invalid.class);
  }

  @Test
  void unknownKidOnStaticKeysIsRefused() throws Exception {
    ECKey other = new ECKeyGenerator(Curve.P_256).keyID("k2").generate();
    refused(
        Tokens.sign(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k2").build(),
            Tokens.claims("a").build(),
            new ECDSASigner(other)));
  }

  @Test
  void theCacheNeverServesATokenPastItsExp() throws Exception {
    VerifiedTokens cache = new VerifiedTokens(2);
    Caller c = new Caller("a", "test", Set.of(), Set.of(), Set.of(), Map.of(), 100);
    cache.put("t", c, 50);
    assertThat(cache.get("t", 99)).isEqualTo(c);
    assertThat(cache.get("t", 100)).isNull();
    cache.put("a", c, 50);
    cache.put("b", c, 50);
    cache.put("c", c, 50);
    assertThat(cache.size()).isLessThanOrEqualTo(2);
  }

  @Test
  void theCacheNeverServesATokenBeforeTheTimeItWasVerifiedAt() {
    VerifiedTokens cache = new VerifiedTokens(2);
    Caller c = new Caller("a", "test", Set.of(), Set.of(), Set.of(), Map.of(), 100);
    cache.put("t", c, 50);

    assertThat(cache.get("t", 49)).as("a clock set back may be before nbf").isNull();
    assertThat(cache.get("t", 50)).isEqualTo(c);
  }
}
