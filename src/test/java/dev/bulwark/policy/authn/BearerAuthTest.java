package dev.bulwark.policy.authn;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bearer authentication and route authorization through the real gateway, end to end. */
class BearerAuthTest {
  static final String CONFIG =
      """
      auth:
        issuers:
          test:
            issuer: https://id.test.example/
            audience: api
            algorithms: [ES256, RS256]
            keys: KEYFILE
        strip-headers: [X-User]
      routes:
        - name: public
          match: { path: /public/** }
          upstream: UPSTREAM
          public: true
        - name: admin
          match: { path: /admin/** }
          upstream: UPSTREAM
          auth: { require: [ "role:admin" ] }
        - name: orgs
          match: { path: "/orgs/{org}/**" }
          upstream: UPSTREAM
          auth: { require: [ "member-of:{org}" ] }
        - name: docs
          match: { path: /docs/** }
          upstream: UPSTREAM
          auth:
            require: authenticated
            methods:
              DELETE: { all-of: [ "role:admin", "scope:docs:delete" ] }
              PUT: { any-of: [ "role:editor", "claim:department=docs" ] }
      """;

  static Tokens tokens;
  static StubUpstream upstream;
  static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    tokens = new Tokens("e2e");
    upstream = new StubUpstream();
    Path dir = Files.createTempDirectory("bulwark-auth");
    Path keys = tokens.writePublicJwks(dir);
    gw = TestGateway.start(CONFIG.replace("KEYFILE", keys.toString()), upstream.port());
  }

  @AfterAll
  static void stop() {
    gw.close();
    upstream.close();
  }

  static HttpResponse<String> send(
      String method,
      String path,
      @org.jspecify.annotations.Nullable String token,
      String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(gw.url(path)))
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return gw.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static void drain() throws InterruptedException {
    while (upstream.poll(50) != null) {
      // leftovers of an earlier test
    }
  }

  @Test
  void noTokenIs401WithABearerChallengeAndNothingIsForwarded() throws Exception {
    drain();
    HttpResponse<String> r = send("GET", "/admin/x", null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"bulwark\"");
    assertThat(r.body()).contains("\"status\":401").contains("\"requestId\":\"");
    assertThat(r.headers().firstValue("strict-transport-security")).isPresent();
    assertThat(upstream.poll(200)).isNull();
  }

  @Test
  void invalidTokenIs401InvalidTokenReasonLoggedNotSent() throws Exception {
    drain();
    String expired =
        tokens.es256(
            b ->
                b.claim("roles", List.of("admin"))
                    .expirationTime(new Date(System.currentTimeMillis() - 120_000)));
    HttpResponse<String> r = send("GET", "/admin/x", expired);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("www-authenticate"))
        .hasValue("Bearer realm=\"bulwark\", error=\"invalid_token\"");
    assertThat(r.body()).doesNotContain("expired");
    String id = r.headers().firstValue("x-request-id").orElseThrow();
    gw.awaitLine("\"event\":\"token-expired\"", id);
    HttpResponse<String> forged =
        send("GET", "/admin/x", expired.substring(0, expired.length() - 4) + "AAAA");
    assertThat(forged.statusCode()).isEqualTo(401);
    gw.awaitLine(
        "\"event\":\"token-invalid\"", forged.headers().firstValue("x-request-id").orElseThrow());
    assertThat(send("GET", "/admin/x", "x", "Authorization", "Basic YTpi").statusCode())
        .isEqualTo(401);
    assertThat(upstream.poll(200)).isNull();
  }

  @Test
  void validTokenWithoutTheRoleIs403InsufficientScope() throws Exception {
    drain();
    HttpResponse<String> r =
        send("GET", "/admin/x", tokens.es256(b -> b.claim("roles", List.of("user"))));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("www-authenticate"))
        .hasValue("Bearer realm=\"bulwark\", error=\"insufficient_scope\"");
    gw.awaitLine("\"event\":\"access-denied\"", "\"subject\":\"alice\"", "role:admin");
    assertThat(upstream.poll(200)).isNull();
  }

  @Test
  void allowedCallerReachesTheUpstreamWithUnforgeableIdentity() throws Exception {
    drain();
    String t =
        tokens.es256(
            b ->
                b.subject("root@example")
                    .claim("roles", List.of("admin", "ops"))
                    .claim("orgs", List.of("acme")));
    HttpResponse<String> r =
        send(
            "GET",
            "/admin/panel",
            t,
            "X-Bulwark-Subject",
            "forged",
            "X-User",
            "forged",
            "X-Bulwark-Roles",
            "god");
    assertThat(r.statusCode()).isEqualTo(200);
    StubUpstream.Received got = upstream.next();
    assertThat(got.headers().get("x-bulwark-subject")).isEqualTo("root@example");
    assertThat(got.headers().getAll("x-bulwark-subject")).hasSize(1);
    assertThat(got.headers().get("x-bulwark-roles")).isIn("admin,ops", "ops,admin");
    assertThat(got.headers().get("x-bulwark-orgs")).isEqualTo("acme");
    assertThat(got.headers().get("x-user")).isNull();
    assertThat(got.headers().get("authorization")).isNull();
    // the assertion verifies against the admin listener's JWKS
    SignedJWT assertion = SignedJWT.parse(got.headers().get("x-bulwark-assertion"));
    HttpResponse<String> jwks =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + gw.gateway().adminPort()
                                + "/.well-known/jwks.json"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    ECKey key = (ECKey) JWKSet.parse(jwks.body()).getKeyByKeyId(assertion.getHeader().getKeyID());
    assertThat(key.isPrivate()).isFalse();
    assertThat(assertion.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(assertion.verify(new ECDSAVerifier(key))).isTrue();
    assertThat(assertion.getJWTClaimsSet().getSubject()).isEqualTo("root@example");
    assertThat(
            assertion.getJWTClaimsSet().getExpirationTime().getTime() - System.currentTimeMillis())
        .isLessThanOrEqualTo(61_000);
    gw.awaitLine("\"subject\":\"root@example\"", "\"route\":\"admin\"");
  }

  @Test
  void forgedIdentityHeadersNeverReachTheUpstreamOfAPublicRoute() throws Exception {
    drain();
    HttpResponse<String> r =
        send(
            "GET",
            "/public/x",
            null,
            "X-Bulwark-Subject",
            "admin",
            "x-user",
            "admin",
            "X-Bulwark-Assertion",
            "e30.e30.x");
    assertThat(r.statusCode()).isEqualTo(200);
    StubUpstream.Received got = upstream.next();
    assertThat(got.headers().names())
        .noneMatch(n -> n.toLowerCase().startsWith("x-bulwark-") || n.equalsIgnoreCase("x-user"));
  }

  @Test
  void organisationInThePathMustBeOneOfTheCallersMemberships() throws Exception {
    drain();
    String t = tokens.es256(b -> b.claim("orgs", List.of("acme", "globex")));
    assertThat(send("GET", "/orgs/acme/orders", t).statusCode()).isEqualTo(200);
    upstream.next();
    assertThat(send("GET", "/orgs/globex/orders", t).statusCode()).isEqualTo(200);
    upstream.next();
    for (String other :
        List.of(
            "/orgs/initech/orders",
            "/orgs/ACME/orders",
            "/orgs/acme%20/orders",
            "/orgs/%61cme2/x")) {
      assertThat(send("GET", other, t).statusCode()).as(other).isIn(403, 400, 404);
    }
    assertThat(send("GET", "/orgs/initech/orders", tokens.es256(b -> {})).statusCode())
        .isEqualTo(403);
    assertThat(upstream.poll(200)).isNull();
  }

  @Test
  void rulesApplyPerMethod() throws Exception {
    drain();
    String user = tokens.es256(b -> b.claim("roles", List.of("admin")));
    assertThat(send("GET", "/docs/a", user).statusCode()).isEqualTo(200);
    upstream.next();
    assertThat(send("DELETE", "/docs/a", user).statusCode()).isEqualTo(403);
    String deleter =
        tokens.es256(
            b -> b.claim("roles", List.of("admin")).claim("scope", "docs:read docs:delete"));
    assertThat(send("DELETE", "/docs/a", deleter).statusCode()).isEqualTo(200);
    upstream.next();
    assertThat(send("PUT", "/docs/a", user).statusCode()).isEqualTo(403);
    assertThat(
            send("PUT", "/docs/a", tokens.es256(b -> b.claim("department", "docs"))).statusCode())
        .isEqualTo(200);
    upstream.next();
    assertThat(upstream.poll(200)).isNull();
  }

  @Test
  void pathTricksCannotReachTheAdminRouteThroughThePublicOne() throws Exception {
    drain();
    for (String p :
        List.of(
            "/public/../admin/x",
            "/public/%2e%2e/admin/x",
            "/public/%2E%2E%2Fadmin/x",
            "/public/..%2fadmin/x",
            "/public/..;/admin/x",
            "//admin/x",
            "/admin;x=1/x",
            "/public/%252e%252e/admin/x",
            "/./admin/x",
            "/public\\..\\admin/x")) {
      HttpResponse<String> r =
          gw.client()
              .send(
                  HttpRequest.newBuilder(URI.create(gw.url("/"))).build(),
                  HttpResponse.BodyHandlers.ofString());
      String raw = gw.raw("GET " + p + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
      assertThat(raw).as(p).doesNotStartWith("HTTP/1.1 200");
      StubUpstream.Received got;
      while ((got = upstream.poll(100)) != null) {
        assertThat(got.uri()).as(p).doesNotContain("admin");
      }
      assertThat(r).isNotNull();
    }
  }

  @Test
  void denialsAreCountedInMetrics() throws Exception {
    send("GET", "/admin/x", null);
    send("GET", "/admin/x", tokens.es256(b -> {}));
    String metrics = gw.gateway().metrics().scrape();
    assertThat(metrics).contains("policy=\"authn\"").contains("policy=\"authz\"");
  }
}
