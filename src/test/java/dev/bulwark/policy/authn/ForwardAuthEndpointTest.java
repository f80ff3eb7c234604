package dev.bulwark.policy.authn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.access.AccessRule;
import dev.bulwark.access.RouteAccess;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.endpoint.ForwardAuthEndpoint;
import dev.bulwark.identity.AssertionKeys;
import dev.bulwark.identity.Caller;
import dev.bulwark.identity.UpstreamIdentity;
import dev.bulwark.observe.SecurityLog;
import dev.bulwark.routing.HostMatcher;
import dev.bulwark.routing.RoutePattern;
import dev.bulwark.routing.RouteTable;
import dev.bulwark.testing.FakeExchange;
import dev.bulwark.testing.FakeExchange.Outcome;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The forward-auth endpoint ({@code dev.bulwark.endpoint}) against a fake exchange: the original
 * request is judged by its route's rules as the authentication feature compiled them. It lives
 * beside the authentication tests, whose token helpers it uses.
 */
class ForwardAuthEndpointTest {
  private static Tokens tokens;
  private static Authenticator authenticator;
  private final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
  private ForwardAuthEndpoint forwardAuth;

  @BeforeAll
  static void keys() throws Exception {
    tokens = new Tokens("fa-key");
    authenticator = AuthnPolicyTest.authenticator("test", tokens);
  }

  private static RouteTable.Entry<ProtectedRoute> route(
      String name, String path, RouteAccess access) {
    RoutePattern pattern = RoutePattern.parse(path);
    return new RouteTable.Entry<>(
        HostMatcher.any(),
        pattern,
        Set.of(),
        new ProtectedRoute(
            name, access, pattern.paramNames(), Credentials.bearer(authenticator, List.of())));
  }

  @BeforeEach
  void policy() {
    RouteAccess orgMembers =
        new RouteAccess(false, true, List.of(), new AccessRule.MemberOf("org", false), Map.of());
    forwardAuth =
        new ForwardAuthEndpoint(
            new RouteTable<>(
                List.of(
                    route("orgs", "/api/orgs/{org}/**", orgMembers),
                    route(
                        "step-up",
                        "/admin/**",
                        new RouteAccess(false, true, List.of(), new AccessRule.Mfa(), Map.of())),
                    route("open", "/public/**", RouteAccess.PUBLIC))),
            new UpstreamIdentity(false, AssertionKeys.generate(), "backend", 60),
            SecurityEvents.of(new SecurityLog(events::add)));
  }

  private FakeExchange.Builder judge(String method, String uri) {
    return FakeExchange.get("/.bulwark/forward-auth")
        .trustedPeer()
        .header("X-Forwarded-Method", method)
        .header("X-Forwarded-Uri", uri)
        .header("X-Forwarded-Host", "app.example.com");
  }

  @Test
  void aCallerOutsideTrustedProxiesIsRefusedWhateverItClaims() throws Exception {
    FakeExchange fx =
        FakeExchange.get("/.bulwark/forward-auth")
            .header("X-Forwarded-Method", "GET")
            .header("X-Forwarded-Uri", "/public/x")
            .header("Authorization", "Bearer " + tokens.es256(b -> {}))
            .run(forwardAuth);
    assertThat(fx.status()).isEqualTo(403);
    assertThat(fx.responseHeaders().contains(UpstreamIdentity.SUBJECT)).isFalse();
  }

  @Test
  void anOriginalRequestWithoutAUsableUriIsRefused() {
    for (String uri :
        new String[] {"", "relative/x", "http://evil/x", "/api/orgs/acme/%2e%2e/x/../.."}) {
      assertThat(judge("GET", uri).run(forwardAuth).status()).as(uri).isEqualTo(403);
    }
  }

  @Test
  void anOriginalRequestThatNoRouteTakesIsRefused() {
    FakeExchange fx = judge("GET", "/elsewhere").run(forwardAuth);
    assertThat(fx.status()).isEqualTo(403);
    assertThat(fx.exchange().denyReason()).contains("no route for the original request");
  }

  @Test
  void aPublicRouteIsAllowedWithoutACredential() {
    FakeExchange fx = judge("GET", "/public/page?x=1").run(forwardAuth);
    assertThat(fx.outcome()).isEqualTo(Outcome.ANSWERED);
    assertThat(fx.status()).isEqualTo(200);
  }

  @Test
  void aMalformedCredentialWritesTheSameEventAsOnTheRouteItself() {
    FakeExchange fx =
        judge("GET", "/api/orgs/acme/items").header("Authorization", "Basic YTpi").run(forwardAuth);
    assertThat(fx.status()).isEqualTo(401);
    assertThat(fx.responseHeaders().get("www-authenticate"))
        .isEqualTo("Bearer realm=\"bulwark\", error=\"invalid_token\"");
    assertThat(events)
        .singleElement()
        .asString()
        .contains(
            "\"event\":\"token-invalid\"",
            "\"route\":\"orgs\"",
            "malformed or repeated Authorization header",
            "\"via\":\"forward-auth\"");
  }

  @Test
  void noCredentialIs401WithTheChallenge() {
    FakeExchange fx = judge("GET", "/api/orgs/acme/items").run(forwardAuth);
    assertThat(fx.status()).isEqualTo(401);
    assertThat(fx.responseHeaders().get("www-authenticate")).isEqualTo("Bearer realm=\"bulwark\"");
    assertThat(events).isEmpty();
  }

  @Test
  void aMemberOfTheOrganisationInTheOriginalPathIsAllowedWithIdentityHeaders() throws Exception {
    String t = tokens.es256(b -> b.claim("orgs", List.of("acme")));
    FakeExchange fx =
        judge("GET", "/api/orgs/acme/items")
            .header("Authorization", "Bearer " + t)
            .run(forwardAuth);
    assertThat(fx.outcome()).isEqualTo(Outcome.ANSWERED);
    assertThat(fx.status()).isEqualTo(200);
    assertThat(fx.responseHeaders().get(UpstreamIdentity.SUBJECT)).isEqualTo("alice");
    assertThat(fx.responseHeaders().get(UpstreamIdentity.ORGS)).isEqualTo("acme");
    assertThat(fx.responseHeaders().get(UpstreamIdentity.ASSERTION)).isNotBlank();
    assertThat(fx.attr(Caller.KEY)).isNotNull();
  }

  @Test
  void aCallerOfAnotherOrganisationIsRefusedWithInsufficientScope() throws Exception {
    String t = tokens.es256(b -> b.claim("orgs", List.of("acme")));
    FakeExchange fx =
        judge("GET", "/api/orgs/globex/items")
            .header("Authorization", "Bearer " + t)
            .run(forwardAuth);
    assertThat(fx.status()).isEqualTo(403);
    assertThat(fx.responseHeaders().get("www-authenticate"))
        .isEqualTo("Bearer realm=\"bulwark\", error=\"insufficient_scope\"");
    assertThat(fx.responseHeaders().contains(UpstreamIdentity.SUBJECT)).isFalse();
    assertThat(events)
        .singleElement()
        .asString()
        .contains("\"event\":\"access-denied\"", "member-of:{org}", "\"via\":\"forward-auth\"");
  }

  @Test
  void aTokenLackingOnlyTheSecondFactorIs401WithTheStepUpChallenge() throws Exception {
    String t = tokens.es256(b -> b.claim("amr", List.of("pwd")));
    FakeExchange fx =
        judge("GET", "/admin/users").header("Authorization", "Bearer " + t).run(forwardAuth);
    assertThat(fx.status()).isEqualTo(401);
    assertThat(fx.responseHeaders().get("www-authenticate")).isEqualTo(RouteAccess.STEP_UP);
    assertThat(fx.responseHeaders().contains(UpstreamIdentity.SUBJECT)).isFalse();
    assertThat(events)
        .singleElement()
        .asString()
        .contains("\"event\":\"access-denied\"", "\"via\":\"forward-auth\"");
  }

  @Test
  void aTokenWithASecondFactorPassesTheStepUpRoute() throws Exception {
    String t = tokens.es256(b -> b.claim("amr", List.of("pwd", "otp")));
    FakeExchange fx =
        judge("GET", "/admin/users").header("Authorization", "Bearer " + t).run(forwardAuth);
    assertThat(fx.status()).isEqualTo(200);
    assertThat(fx.responseHeaders().get(UpstreamIdentity.SUBJECT)).isEqualTo("alice");
  }
}
