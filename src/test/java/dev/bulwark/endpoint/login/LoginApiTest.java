package dev.bulwark.endpoint.login;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.identity.login.LoginName;
import dev.bulwark.identity.password.Argon2Cost;
import dev.bulwark.identity.password.PasswordHasher;
import dev.bulwark.identity.totp.RecoveryCodes;
import dev.bulwark.identity.totp.Totp;
import dev.bulwark.identity.totp.TotpSecret;
import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStatus;
import dev.bulwark.store.AccountStore;
import dev.bulwark.store.NewAccount;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The login API through a real gateway over TLS, on HTTP/1.1 and HTTP/2: the same answer for a
 * wrong password, an unknown and an unreadable login name; the contract's 400 for a body outside
 * it; tokens, the second factor (each code once, each mfa_token once), refresh with reuse
 * detection, sign-out, and the {@code mfa} rule on a protected route.
 */
class LoginApiTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Argon2Cost LOW = new Argon2Cost(1024, 1, 1);
  static final PasswordHasher HASHER = new PasswordHasher(LOW);
  static final String PASSWORD = "correct horse battery staple";
  private static final AtomicInteger ADDRESSES = new AtomicInteger(1);

  private static StubUpstream upstream;
  private static TestGateway gw;

  /** The configuration of a gateway with the login API on /auth/** and two protected routes. */
  static String config(String extraIdentity, String reuseGrace, String server) throws Exception {
    var c = TestGateway.certificate();
    return """
        listen:
          https: 127.0.0.1:0
        tls:
          cert: %s
          key: %s
        server:
          event-loops: 1
          shutdown-grace: 1s
        %s
        trusted-proxies: [127.0.0.1/32]
        identity:
          passwords: { argon2: { memory: 1MiB, iterations: 1, parallelism: 1 } }
        %s
          tokens:
            issuer: https://localhost
            audience: api
            reuse-grace: %s
        auth:
          issuers:
            bulwark: { self: true }
        routes:
          - name: auth
            match: { path: "/auth/**" }
            serve: login
          - name: api
            match: { path: "/api/**" }
            upstream: UPSTREAM
            auth: { issuers: [bulwark], require: [authenticated] }
          - name: admin
            match: { path: "/admin/**" }
            upstream: UPSTREAM
            auth: { issuers: [bulwark], require: [mfa] }
          - name: ops
            match: { path: "/ops/**" }
            upstream: UPSTREAM
            auth: { issuers: [bulwark], require: [mfa, "role:ops"] }
        """
        .formatted(c.certFile(), c.keyFile(), server, extraIdentity, reuseGrace);
  }

  @BeforeAll
  static void start() throws Exception {
    upstream = new StubUpstream();
    gw =
        TestGateway.startYaml(
            config("", "0s", "").replace("UPSTREAM", "http://127.0.0.1:" + upstream.port()));
  }

  @AfterAll
  static void stop() {
    gw.close();
    upstream.close();
  }

  // ---- helpers ----

  /** A fresh client address (as a trusted proxy says), so that tests do not share throttles. */
  static String address() {
    int n = ADDRESSES.getAndIncrement();
    return "198.51." + (n / 250) + "." + (n % 250 + 1);
  }

  /** Creates an account with the test password; returns it. */
  static Account account(TestGateway g, String login) throws Exception {
    LoginName name = java.util.Objects.requireNonNull(LoginName.parse(login).name());
    return g.gateway()
        .stores()
        .accounts()
        .create(new NewAccount(login, name.value(), null, false, login, HASHER.hash(PASSWORD)))
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS)
        .orElseThrow();
  }

  /** Enrols a TOTP secret for an account; returns it. */
  static TotpSecret enrol(TestGateway g, Account a) throws Exception {
    TotpSecret secret = TotpSecret.generate(new SecureRandom());
    g.gateway().stores().accounts().enrolTotp(a.id(), secret.bytes()).toCompletableFuture().get();
    return secret;
  }

  static HttpClient client(TestGateway g, HttpClient.Version v) {
    return HttpClient.newBuilder()
        .sslContext(g.sslContext())
        .version(v)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  static HttpResponse<String> post(
      TestGateway g, HttpClient.Version v, String path, String body, String from, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(g.url(path)))
            .timeout(Duration.ofSeconds(20))
            .header("content-type", "application/json")
            .header("x-forwarded-for", from)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> r = client(g, v).send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.version()).isEqualTo(v);
    return r;
  }

  static String loginBody(String login, String password) throws Exception {
    return JSON.writeValueAsString(java.util.Map.of("login", login, "password", password));
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  /** The error body without its request id, for comparing two refusals. */
  static String withoutRequestId(HttpResponse<String> r) throws Exception {
    var o = (com.fasterxml.jackson.databind.node.ObjectNode) json(r);
    assertThat(o.get("requestId").asText()).isNotBlank();
    o.remove("requestId");
    return o.toString();
  }

  static HttpResponse<String> get(TestGateway g, HttpClient.Version v, String path, String token)
      throws Exception {
    return client(g, v)
        .send(
            HttpRequest.newBuilder(URI.create(g.url(path)))
                .timeout(Duration.ofSeconds(10))
                .header("authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  // ---- the same answer for every wrong login ----

  @ParameterizedTest
  @EnumSource(
      value = HttpClient.Version.class,
      names = {"HTTP_1_1", "HTTP_2"})
  void aWrongPasswordAndAnUnknownUserGetTheSameAnswer(HttpClient.Version v) throws Exception {
    account(gw, "same-" + v);
    String from = address();
    HttpResponse<String> wrong =
        post(gw, v, "/auth/login", loginBody("same-" + v, "nope nope nope"), from);
    HttpResponse<String> unknown =
        post(gw, v, "/auth/login", loginBody("nobody-" + v, "nope nope nope"), from);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(withoutRequestId(wrong)).isEqualTo(withoutRequestId(unknown));
    assertThat(json(wrong).get("error").asText()).isEqualTo("invalid_credentials");
    assertThat(wrong.headers().firstValue("cache-control")).contains("no-store");
  }

  @ParameterizedTest
  @EnumSource(
      value = HttpClient.Version.class,
      names = {"HTTP_1_1", "HTTP_2"})
  void unreadableLoginNamesGetTheSameAnswerAsAWrongPassword(HttpClient.Version v) throws Exception {
    account(gw, "alice-" + v);
    String from = address();
    String reference =
        withoutRequestId(post(gw, v, "/auth/login", loginBody("alice-" + v, "wrong wrong"), from));
    for (String hostile :
        List.of(
            "a".repeat(10 * 1024),
            "alice\u0000-" + v,
            "\u0430lice-" + v, // a Cyrillic a in a Latin name
            "al\u200dice-" + v)) {
      HttpResponse<String> r = post(gw, v, "/auth/login", loginBody(hostile, PASSWORD), from);
      assertThat(r.statusCode())
          .as(hostile.substring(0, Math.min(hostile.length(), 12)))
          .isEqualTo(401);
      assertThat(withoutRequestId(r)).isEqualTo(reference);
    }
    gw.awaitLine("login-failed", "unreadable-");
  }

  @Test
  void aDisabledAccountGetsTheSameAnswerEvenWithTheRightPassword() throws Exception {
    Account a = account(gw, "disabled-user");
    AccountStore store = gw.gateway().stores().accounts();
    store.update(a.withStatus(AccountStatus.DISABLED)).toCompletableFuture().get();
    HttpResponse<String> r =
        post(
            gw,
            HttpClient.Version.HTTP_2,
            "/auth/login",
            loginBody("disabled-user", PASSWORD),
            address());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(json(r).get("error").asText()).isEqualTo("invalid_credentials");
  }

  // ---- the contract ----

  @ParameterizedTest
  @EnumSource(
      value = HttpClient.Version.class,
      names = {"HTTP_1_1", "HTTP_2"})
  void bodiesOutsideTheContractGetItsBadRequest(HttpClient.Version v) throws Exception {
    String from = address();
    for (String body :
        List.of(
            "{\"login\":\"a\",\"password\":\"b\",\"admin\":true}",
            "{\"login\":\"a\",\"password\":42}",
            "{\"login\":\"a\"}",
            "[1,2]",
            loginBody("a", "p".repeat(10 * 1024)))) {
      HttpResponse<String> r = post(gw, v, "/auth/login", body, from);
      assertThat(r.statusCode()).as(body.substring(0, Math.min(40, body.length()))).isEqualTo(400);
      assertThat(json(r).get("requestId").asText()).isNotBlank();
      assertThat(json(r).has("violations")).isTrue();
    }
    HttpResponse<String> extra =
        post(gw, v, "/auth/refresh", "{\"refresh_token\":\"x\",\"also\":1}", from);
    assertThat(extra.statusCode()).isEqualTo(400);
  }

  @ParameterizedTest
  @EnumSource(
      value = HttpClient.Version.class,
      names = {"HTTP_1_1", "HTTP_2"})
  void unknownOperationsAndOtherMethodsAreRefusedInJson(HttpClient.Version v) throws Exception {
    HttpResponse<String> unknown = post(gw, v, "/auth/register", "{}", address());
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).get("requestId").asText()).isNotBlank();
    HttpResponse<String> get =
        client(gw, v)
            .send(
                HttpRequest.newBuilder(URI.create(gw.url("/auth/login"))).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(json(get).get("requestId").asText()).isNotBlank();
  }

  // ---- tokens, refresh, sign-out ----

  @ParameterizedTest
  @EnumSource(
      value = HttpClient.Version.class,
      names = {"HTTP_1_1", "HTTP_2"})
  void aPasswordLoginGivesTokensThatOpenAuthenticatedRoutesButNotMfaOnes(HttpClient.Version v)
      throws Exception {
    account(gw, "bob-" + v);
    String from = address();
    HttpResponse<String> r = post(gw, v, "/auth/login", loginBody("bob-" + v, PASSWORD), from);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("cache-control")).contains("no-store");
    JsonNode t = json(r);
    assertThat(t.get("token_type").asText()).isEqualTo("Bearer");
    assertThat(t.get("expires_in").asLong()).isEqualTo(300);
    String access = t.get("access_token").asText();
    assertThat(get(gw, v, "/api/x", access).statusCode()).isEqualTo(200);
    // RFC 9470: the route needs a second factor, and the client is told so, to step up
    HttpResponse<String> stepUp = get(gw, v, "/admin/x", access);
    assertThat(stepUp.statusCode()).isEqualTo(401);
    assertThat(stepUp.headers().allValues("www-authenticate"))
        .containsExactly(
            "Bearer realm=\"bulwark\", error=\"insufficient_user_authentication\","
                + " error_description=\"a second factor is required\", acr_values=\"mfa\"");
    assertThat(json(stepUp).get("status").asInt()).isEqualTo(401);
    assertThat(json(stepUp).get("requestId").asText()).isNotBlank();
    // a second factor alone would not open this one (a role is missing too): no step-up hint
    HttpResponse<String> noHint = get(gw, v, "/ops/x", access);
    assertThat(noHint.statusCode()).isEqualTo(403);
    assertThat(noHint.headers().allValues("www-authenticate"))
        .containsExactly("Bearer realm=\"bulwark\", error=\"insufficient_scope\"");

    HttpResponse<String> refreshed =
        post(
            gw,
            v,
            "/auth/refresh",
            "{\"refresh_token\":\"" + t.get("refresh_token").asText() + "\"}",
            from);
    assertThat(refreshed.statusCode()).isEqualTo(200);
    JsonNode t2 = json(refreshed);
    assertThat(t2.get("refresh_token").asText()).isNotEqualTo(t.get("refresh_token").asText());

    HttpResponse<String> out =
        post(
            gw,
            v,
            "/auth/logout",
            "{\"refresh_token\":\"" + t2.get("refresh_token").asText() + "\"}",
            from);
    assertThat(out.statusCode()).isEqualTo(204);
    HttpResponse<String> after =
        post(
            gw,
            v,
            "/auth/refresh",
            "{\"refresh_token\":\"" + t2.get("refresh_token").asText() + "\"}",
            from);
    assertThat(after.statusCode()).isEqualTo(401);
    assertThat(json(after).get("error").asText()).isEqualTo("invalid_grant");
    assertThat(get(gw, v, "/api/x", t2.get("access_token").asText()).statusCode()).isEqualTo(401);
  }

  @Test
  void aRefreshTokenReplayedAfterRotationRevokesTheFamily() throws Exception {
    HttpClient.Version v = HttpClient.Version.HTTP_2;
    account(gw, "carol");
    String from = address();
    JsonNode t = json(post(gw, v, "/auth/login", loginBody("carol", PASSWORD), from));
    String first = t.get("refresh_token").asText();
    JsonNode t2 = json(post(gw, v, "/auth/refresh", "{\"refresh_token\":\"" + first + "\"}", from));
    HttpResponse<String> replay =
        post(gw, v, "/auth/refresh", "{\"refresh_token\":\"" + first + "\"}", from);
    assertThat(replay.statusCode()).isEqualTo(401);
    assertThat(json(replay).get("error").asText()).isEqualTo("invalid_grant");
    gw.awaitLine("refresh-token-reused");
    HttpResponse<String> legit =
        post(
            gw,
            v,
            "/auth/refresh",
            "{\"refresh_token\":\"" + t2.get("refresh_token").asText() + "\"}",
            from);
    assertThat(legit.statusCode()).as("the family is revoked").isEqualTo(401);
  }

  @Test
  void parallelRefreshesWithOneTokenHaveOneWinnerWithoutGrace() throws Exception {
    account(gw, "dave");
    String from = address();
    JsonNode t =
        json(post(gw, HttpClient.Version.HTTP_2, "/auth/login", loginBody("dave", PASSWORD), from));
    String body = "{\"refresh_token\":\"" + t.get("refresh_token").asText() + "\"}";
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    HttpClient c = client(gw, HttpClient.Version.HTTP_2);
    for (int i = 0; i < 20; i++) {
      all.add(
          c.sendAsync(
              HttpRequest.newBuilder(URI.create(gw.url("/auth/refresh")))
                  .header("content-type", "application/json")
                  .header("x-forwarded-for", from)
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    List<String> winners = new ArrayList<>();
    int refused = 0;
    for (var f : all) {
      HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
      if (r.statusCode() == 200) {
        winners.add(json(r).get("refresh_token").asText());
      } else {
        assertThat(r.statusCode()).isEqualTo(401);
        refused++;
      }
    }
    // reuse-grace 0s: exactly one rotates; every other is a reuse that revokes the family.
    assertThat(winners).hasSize(1);
    assertThat(refused).isEqualTo(19);
    HttpResponse<String> next =
        post(
            gw,
            HttpClient.Version.HTTP_2,
            "/auth/refresh",
            "{\"refresh_token\":\"" + winners.get(0) + "\"}",
            from);
    assertThat(next.statusCode()).isEqualTo(401);
  }

  @Test
  void signOutEverywhereNeedsAValidAccessTokenAndEndsEverySession() throws Exception {
    HttpClient.Version v = HttpClient.Version.HTTP_1_1;
    account(gw, "erin");
    String from = address();
    JsonNode a = json(post(gw, v, "/auth/login", loginBody("erin", PASSWORD), from));
    JsonNode b = json(post(gw, v, "/auth/login", loginBody("erin", PASSWORD), from));
    HttpResponse<String> noToken = post(gw, v, "/auth/logout", "{\"everywhere\":true}", from);
    assertThat(noToken.statusCode()).isEqualTo(401);
    assertThat(noToken.headers().firstValue("www-authenticate")).isPresent();
    HttpResponse<String> forged =
        post(gw, v, "/auth/logout", "{\"everywhere\":true}", from, "authorization", "Bearer a.b.c");
    assertThat(forged.statusCode()).isEqualTo(401);
    HttpResponse<String> out =
        post(
            gw,
            v,
            "/auth/logout",
            "{\"everywhere\":true}",
            from,
            "authorization",
            "Bearer " + a.get("access_token").asText());
    assertThat(out.statusCode()).isEqualTo(204);
    gw.awaitLine("session-revoked");
    assertThat(get(gw, v, "/api/x", b.get("access_token").asText()).statusCode()).isEqualTo(401);
    assertThat(
            post(
                    gw,
                    v,
                    "/auth/refresh",
                    "{\"refresh_token\":\"" + b.get("refresh_token").asText() + "\"}",
                    from)
                .statusCode())
        .isEqualTo(401);
  }

  // ---- the second factor ----

  @ParameterizedTest
  @EnumSource(
      value = HttpClient.Version.class,
      names = {"HTTP_1_1", "HTTP_2"})
  void aTotpLoginNeedsTheCodeOnceAndOpensMfaRoutes(HttpClient.Version v) throws Exception {
    Account a = account(gw, "frank-" + v);
    TotpSecret secret = enrol(gw, a);
    String from = address();
    JsonNode first = json(post(gw, v, "/auth/login", loginBody("frank-" + v, PASSWORD), from));
    assertThat(first.get("mfa_required").asBoolean()).isTrue();
    assertThat(first.get("expires_in").asLong()).isBetween(1L, 300L);
    assertThat(first.has("access_token")).isFalse();
    String mfaToken = first.get("mfa_token").asText();
    String code = Totp.code(secret, Totp.step(Instant.now()));

    HttpResponse<String> ok =
        post(
            gw,
            v,
            "/auth/mfa",
            "{\"mfa_token\":\"" + mfaToken + "\",\"code\":\"" + code + "\"}",
            from);
    assertThat(ok.statusCode()).isEqualTo(200);
    String access = json(ok).get("access_token").asText();
    assertThat(get(gw, v, "/admin/x", access).statusCode()).isEqualTo(200);
    // with the second factor, the missing role is all that is left: 403, no step-up hint
    HttpResponse<String> ops = get(gw, v, "/ops/x", access);
    assertThat(ops.statusCode()).isEqualTo(403);
    assertThat(ops.headers().firstValue("www-authenticate"))
        .hasValue("Bearer realm=\"bulwark\", error=\"insufficient_scope\"");

    // the same mfa_token again: used up
    HttpResponse<String> reused =
        post(
            gw,
            v,
            "/auth/mfa",
            "{\"mfa_token\":\"" + mfaToken + "\",\"code\":\"" + code + "\"}",
            from);
    assertThat(reused.statusCode()).isEqualTo(401);
    assertThat(json(reused).get("error").asText()).isEqualTo("invalid_mfa_token");
    gw.awaitLine("mfa-failed");

    // the same code with a new login: replayed, refused, and a fresh token to try again
    JsonNode second = json(post(gw, v, "/auth/login", loginBody("frank-" + v, PASSWORD), from));
    HttpResponse<String> replayed =
        post(
            gw,
            v,
            "/auth/mfa",
            "{\"mfa_token\":\""
                + second.get("mfa_token").asText()
                + "\",\"code\":\""
                + code
                + "\"}",
            from);
    assertThat(replayed.statusCode()).isEqualTo(401);
    assertThat(json(replayed).get("error").asText()).isEqualTo("invalid_code");
    assertThat(json(replayed).get("mfa_token").asText()).startsWith("mt1.");
  }

  @Test
  void aRecoveryCodeWorksOnce() throws Exception {
    HttpClient.Version v = HttpClient.Version.HTTP_2;
    Account a = account(gw, "grace");
    enrol(gw, a);
    RecoveryCodes.Issued codes = RecoveryCodes.issue(new SecureRandom());
    gw.gateway()
        .stores()
        .accounts()
        .replaceRecoveryCodes(a.id(), codes.hashes())
        .toCompletableFuture()
        .get();
    String from = address();
    String code = codes.codes().get(3);
    JsonNode first = json(post(gw, v, "/auth/login", loginBody("grace", PASSWORD), from));
    HttpResponse<String> ok =
        post(
            gw,
            v,
            "/auth/mfa",
            "{\"mfa_token\":\""
                + first.get("mfa_token").asText()
                + "\",\"recovery_code\":\""
                + code
                + "\"}",
            from);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(get(gw, v, "/admin/x", json(ok).get("access_token").asText()).statusCode())
        .isEqualTo(200);
    JsonNode second = json(post(gw, v, "/auth/login", loginBody("grace", PASSWORD), from));
    HttpResponse<String> again =
        post(
            gw,
            v,
            "/auth/mfa",
            "{\"mfa_token\":\""
                + second.get("mfa_token").asText()
                + "\",\"recovery_code\":\""
                + code
                + "\"}",
            from);
    assertThat(again.statusCode()).isEqualTo(401);
    assertThat(json(again).get("error").asText()).isEqualTo("invalid_code");
  }

  @Test
  void aGuessedOrForgedMfaTokenIsRefused() throws Exception {
    String from = address();
    for (String t :
        List.of(
            "mt1.99999999999.4.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "garbage",
            "mt1.1.1.x")) {
      HttpResponse<String> r =
          post(
              gw,
              HttpClient.Version.HTTP_2,
              "/auth/mfa",
              "{\"mfa_token\":\"" + t + "\",\"code\":\"123456\"}",
              from);
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(json(r).get("error").asText()).isEqualTo("invalid_mfa_token");
    }
  }

  @Test
  void anEditedMfaTokenMatchesNothing() throws Exception {
    HttpClient.Version v = HttpClient.Version.HTTP_2;
    Account a = account(gw, "heidi");
    enrol(gw, a);
    String from = address();
    String t =
        json(post(gw, v, "/auth/login", loginBody("heidi", PASSWORD), from))
            .get("mfa_token")
            .asText();
    String[] p = t.split("\\.");
    String longer = p[0] + "." + (Long.parseLong(p[1]) + 3600) + "." + p[2] + "." + p[3];
    HttpResponse<String> r =
        post(gw, v, "/auth/mfa", "{\"mfa_token\":\"" + longer + "\",\"code\":\"123456\"}", from);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(json(r).get("error").asText()).isEqualTo("invalid_mfa_token");
  }
}
