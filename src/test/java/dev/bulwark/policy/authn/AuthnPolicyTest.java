package dev.bulwark.policy.authn;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.identity.Caller;
import dev.bulwark.observe.SecurityLog;
import dev.bulwark.testing.FakeExchange;
import dev.bulwark.testing.FakeExchange.Outcome;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The AUTHN stage against a fake exchange, with bearer tokens signed at test time by a key the test
 * generates: missing, malformed, repeated, forged, expired and valid credentials.
 */
class AuthnPolicyTest {
  private static Tokens tokens;
  private static Authenticator authenticator;
  private final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
  private AuthnPolicy authn;

  static IssuerConfig issuer(String name, Tokens keys) {
    return new IssuerConfig(
        name,
        Tokens.ISS,
        Set.of(Tokens.AUD),
        Set.of(JWSAlgorithm.ES256),
        new IssuerConfig.Static(new JWKSet(List.<JWK>of(keys.ec.toPublicJWK()))),
        Duration.ofSeconds(30),
        null,
        8192,
        IssuerConfig.Claims.DEFAULTS);
  }

  /** Returns an authenticator with one issuer that trusts the EC key of {@code keys}. */
  static Authenticator authenticator(String issuerName, Tokens keys) {
    return Authenticator.compile(
        new AuthConfig(
            Map.of(issuerName, issuer(issuerName, keys)),
            100,
            List.of(),
            false,
            Duration.ofSeconds(60),
            Duration.ofHours(1),
            "x"),
        java.time.Clock.systemUTC());
  }

  @BeforeAll
  static void keys() throws Exception {
    tokens = new Tokens("test-key");
    authenticator = authenticator("test", tokens);
  }

  @BeforeEach
  void policy() {
    authn =
        new AuthnPolicy(
            "api",
            Credentials.bearer(authenticator, List.of()),
            SecurityEvents.of(new SecurityLog(events::add)));
  }

  private FakeExchange withAuthorization(String... values) {
    FakeExchange.Builder b = FakeExchange.get("/api/x");
    for (String v : values) {
      b.header("Authorization", v);
    }
    return b.run(authn);
  }

  private void refusedAsInvalid(FakeExchange fx, String event, String reason) {
    assertThat(fx.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(fx.status()).isEqualTo(401);
    assertThat(fx.responseHeaders().getAll("www-authenticate"))
        .containsExactly("Bearer realm=\"bulwark\", error=\"invalid_token\"");
    assertThat(fx.attr(Caller.KEY)).isNull();
    assertThat(fx.exchange().subject()).isNull();
    assertThat(events)
        .singleElement()
        .asString()
        .contains("\"event\":\"" + event + "\"", "\"route\":\"api\"", reason, "req-fake-1");
  }

  @Test
  void aRepeatedAuthorizationHeaderIsRefusedEvenWhenBothTokensAreValid() throws Exception {
    String t = tokens.es256(b -> {});
    refusedAsInvalid(
        withAuthorization("Bearer " + t, "Bearer " + t),
        "token-invalid",
        "malformed or repeated Authorization header");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Basic YWxpY2U6c2VjcmV0",
        "Bearer",
        "Bearer ",
        "Bearer  abc",
        "Bearer a b",
        "Bearerabc.def.ghi",
        "Token abc.def.ghi",
        ""
      })
  void anAuthorizationHeaderThatIsNotOneBearerTokenIsAnInvalidCredential(String value) {
    refusedAsInvalid(
        withAuthorization(value), "token-invalid", "malformed or repeated Authorization header");
  }

  @Test
  void aTokenThatIsNotAJwtIsRefusedWithItsReason() {
    FakeExchange fx = withAuthorization("Bearer not.a.jwt");
    refusedAsInvalid(fx, "token-invalid", "malformed or oversized token");
    assertThat(fx.exchange().denyReason())
        .isEqualTo("invalid bearer token: malformed or oversized token");
    assertThat(fx.responseBody())
        .contains("\"error\":\"unauthorized\"")
        .doesNotContain("malformed");
  }

  @Test
  void aTokenSignedByAnotherKeyIsRefused() throws Exception {
    String forged =
        Tokens.sign(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("test-key").build(),
            Tokens.claims("mallory").build(),
            new ECDSASigner(new ECKeyGenerator(Curve.P_256).keyID("test-key").generate()));
    FakeExchange fx = withAuthorization("Bearer " + forged);
    assertThat(fx.status()).isEqualTo(401);
    assertThat(fx.attr(Caller.KEY)).isNull();
    assertThat(events).singleElement().asString().contains("\"event\":\"token-invalid\"");
  }

  @Test
  void anUnsignedTokenIsRefused() {
    String none =
        Tokens.b64("{\"alg\":\"none\",\"typ\":\"JWT\"}")
            + "."
            + Tokens.b64(Tokens.claimsJson("a"))
            + ".";
    assertThat(withAuthorization("Bearer " + none).status()).isEqualTo(401);
  }

  @Test
  void anExpiredTokenIsRefusedAsExpired() throws Exception {
    long now = System.currentTimeMillis();
    String expired =
        tokens.es256(
            b ->
                b.issueTime(new Date(now - 7_200_000))
                    .notBeforeTime(new Date(now - 7_200_000))
                    .expirationTime(new Date(now - 3_600_000)));
    FakeExchange fx = withAuthorization("Bearer " + expired);
    refusedAsInvalid(fx, "token-expired", "\"reason\":\"expired\"");
    assertThat(fx.exchange().denyReason()).isEqualTo("expired bearer token");
  }

  @Test
  void aTokenFromAnIssuerTheRouteDoesNotAcceptIsRefused() throws Exception {
    AuthnPolicy onlyOther =
        new AuthnPolicy(
            "api",
            Credentials.bearer(authenticator, List.of("other")),
            SecurityEvents.of(new SecurityLog(events::add)));
    FakeExchange fx =
        FakeExchange.get("/api/x")
            .header("Authorization", "Bearer " + tokens.es256(b -> {}))
            .run(onlyOther);
    refusedAsInvalid(fx, "token-invalid", "issuer not accepted on this route");
  }

  @Test
  void noAuthorizationHeaderIs401WithTheChallengeAndNoEvent() {
    FakeExchange fx = withAuthorization();
    assertThat(fx.status()).isEqualTo(401);
    assertThat(fx.responseHeaders().getAll("www-authenticate"))
        .containsExactly("Bearer realm=\"bulwark\"");
    assertThat(fx.exchange().denyReason()).isEqualTo("no bearer token");
    assertThat(fx.exchange().decidedBy()).isEqualTo("authn");
    assertThat(events).isEmpty();
  }

  @Test
  void aValidTokenLetsTheRequestThroughWithTheCallerKeptForLaterStages() throws Exception {
    String t = tokens.es256(b -> b.claim("roles", List.of("admin")).claim("orgs", List.of("acme")));
    FakeExchange fx = withAuthorization("bearer " + t);
    assertThat(fx.outcome()).isEqualTo(Outcome.PROCEEDED);
    Caller caller = java.util.Objects.requireNonNull(fx.attr(Caller.KEY));
    assertThat(caller.subject()).isEqualTo("alice");
    assertThat(caller.issuer()).isEqualTo("test");
    assertThat(caller.roles()).containsExactly("admin");
    assertThat(caller.organisations()).containsExactly("acme");
    assertThat(fx.exchange().subject()).isEqualTo("alice");
    assertThat(fx.responseHeaders().contains("www-authenticate")).isFalse();
    assertThat(events).isEmpty();
    // the second time comes from the verified-token cache, still as the same caller
    assertThat(withAuthorization("Bearer " + t).attr(Caller.KEY)).isSameAs(caller);
  }
}
