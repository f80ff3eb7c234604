package dev.bulwark.endpoint.login;

import static dev.bulwark.endpoint.login.LoginApiTest.PASSWORD;
import static dev.bulwark.endpoint.login.LoginApiTest.account;
import static dev.bulwark.endpoint.login.LoginApiTest.address;
import static dev.bulwark.endpoint.login.LoginApiTest.get;
import static dev.bulwark.endpoint.login.LoginApiTest.json;
import static dev.bulwark.endpoint.login.LoginApiTest.loginBody;
import static dev.bulwark.endpoint.login.LoginApiTest.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.identity.tokens.Origin;
import dev.bulwark.identity.tokens.TokenGrant;
import dev.bulwark.identity.tokens.TokenService;
import dev.bulwark.identity.tokens.TokenSubject;
import dev.bulwark.identity.totp.Totp;
import dev.bulwark.identity.totp.TotpSecret;
import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStore;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Self-service TOTP through a real gateway: enrolment needs a valid access token of a fresh sign-in
 * and activates nothing until a code confirms it; the enrolment token works once, for its own
 * account only; the confirming code cannot be replayed at login; removal needs a second factor not
 * used before and ends every session (so no token keeps {@code otp} in its amr); recovery codes are
 * shown once.
 */
class TotpSelfServiceTest {
  private static final HttpClient.Version V2 = HttpClient.Version.HTTP_2;

  private static StubUpstream upstream;
  private static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    upstream = new StubUpstream();
    gw =
        TestGateway.startYaml(
            LoginApiTest.config("", "0s", "")
                .replace("UPSTREAM", "http://127.0.0.1:" + upstream.port()));
  }

  @AfterAll
  static void stop() {
    gw.close();
    upstream.close();
  }

  // ---- helpers ----

  private static JsonNode login(String name, String from) throws Exception {
    HttpResponse<String> r = post(gw, V2, "/auth/login", loginBody(name, PASSWORD), from);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r);
  }

  private static HttpResponse<String> call(
      HttpClient.Version v, String op, String body, String from, String access) throws Exception {
    return post(gw, v, "/auth/totp/" + op, body, from, "authorization", "Bearer " + access);
  }

  private static String code(TotpSecret secret, long step) {
    return Totp.code(secret, step);
  }

  private static long now() {
    return Totp.step(Instant.now());
  }

  private static String confirmBody(String token, String code) {
    return "{\"enrolment_token\":\"" + token + "\",\"code\":\"" + code + "\"}";
  }

  private static AccountStore store() {
    return gw.gateway().stores().accounts();
  }

  private static boolean enrolled(Account a) throws Exception {
    return store().totp(a.id()).toCompletableFuture().get(5, TimeUnit.SECONDS).isPresent();
  }

  /** Enrols through the API; returns the secret and the recovery codes. */
  private record Enrolled(TotpSecret secret, List<String> recoveryCodes, long step) {}

  private static Enrolled enrolThroughTheApi(String access, String from) throws Exception {
    HttpResponse<String> e = call(V2, "enrol", "{}", from, access);
    assertThat(e.statusCode()).as(e.body()).isEqualTo(200);
    TotpSecret secret = TotpSecret.fromBase32(json(e).get("secret").asText());
    // the previous step's code (inside the window): the current and next stay free for the test
    long step = now() - 1;
    HttpResponse<String> c =
        call(
            V2,
            "confirm",
            confirmBody(json(e).get("enrolment_token").asText(), code(secret, step)),
            from,
            access);
    assertThat(c.statusCode()).as(c.body()).isEqualTo(200);
    List<String> codes = new ArrayList<>();
    json(c).get("recovery_codes").forEach(n -> codes.add(n.asText()));
    return new Enrolled(secret, codes, step);
  }

  private static String mfa(String name, String from, String field, String value) throws Exception {
    JsonNode first = login(name, from);
    assertThat(first.path("mfa_required").asBoolean()).as(first.toString()).isTrue();
    HttpResponse<String> r =
        post(
            gw,
            V2,
            "/auth/mfa",
            "{\"mfa_token\":\""
                + first.get("mfa_token").asText()
                + "\",\""
                + field
                + "\":\""
                + value
                + "\"}",
            from);
    return r.statusCode() == 200 ? json(r).get("access_token").asText() : "refused:" + r.body();
  }

  // ---- the bearer token ----

  @Test
  void everyOperationNeedsAValidAccessTokenOfThisGateway() throws Exception {
    Account a = account(gw, "tss-nobody");
    String from = address();
    JsonNode signedIn = login("tss-nobody", from);
    String access = signedIn.get("access_token").asText();
    // a token of a session signed out everywhere
    assertThat(
            post(
                    gw,
                    V2,
                    "/auth/logout",
                    "{\"everywhere\":true}",
                    from,
                    "authorization",
                    "Bearer " + access)
                .statusCode())
        .isEqualTo(204);
    for (String[] op :
        new String[][] {
          {"enrol", "{}"},
          {"confirm", confirmBody("te1.x", "123456")},
          {"disable", "{\"code\":\"123456\"}"},
          {"recovery-codes", "{\"code\":\"123456\"}"}
        }) {
      HttpResponse<String> none = post(gw, V2, "/auth/totp/" + op[0], op[1], from);
      HttpResponse<String> forged = call(V2, op[0], op[1], from, "a.b.c");
      HttpResponse<String> revoked = call(V2, op[0], op[1], from, access);
      for (HttpResponse<String> r : List.of(none, forged, revoked)) {
        assertThat(r.statusCode()).as(op[0] + " " + r.body()).isEqualTo(401);
        assertThat(json(r).get("error").asText()).isEqualTo("invalid_token");
        assertThat(r.headers().firstValue("www-authenticate"))
            .hasValue("Bearer error=\"invalid_token\"");
        assertThat(r.headers().firstValue("cache-control")).contains("no-store");
      }
    }
    assertThat(enrolled(a)).isFalse();
  }

  /** Signs in with a clock {@code ago} in the past; returns the tokens. */
  private static TokenGrant signedInAgo(Account a, Duration ago) throws Exception {
    Clock past = Clock.fixed(Instant.now().minus(ago), ZoneOffset.UTC);
    TokenService old =
        TokenService.create(
            gw.gateway().config().tokens(), gw.gateway().stores(), SecurityEvents.of(), past);
    return old.signIn(
            new TokenSubject(a.id(), java.util.Set.of(), java.util.Set.of()),
            List.of("pwd"),
            new Origin("r", "198.51.100.1", "test"))
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
  }

  @Test
  void anExpiredAccessTokenIsRefused() throws Exception {
    Account a = account(gw, "tss-expired");
    TokenGrant old = signedInAgo(a, Duration.ofMinutes(20));
    HttpResponse<String> r = call(V2, "enrol", "{}", address(), old.accessToken());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(json(r).get("error").asText()).isEqualTo("invalid_token");
  }

  @Test
  void enrolmentNeedsASignInOfTheLastTenMinutes() throws Exception {
    Account a = account(gw, "tss-stale");
    String from = address();
    TokenGrant old = signedInAgo(a, Duration.ofMinutes(11));
    // a refresh now gives a valid access token of that old session
    HttpResponse<String> refreshed =
        post(gw, V2, "/auth/refresh", "{\"refresh_token\":\"" + old.refreshToken() + "\"}", from);
    assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
    String access = json(refreshed).get("access_token").asText();
    assertThat(get(gw, V2, "/api/x", access).statusCode()).isEqualTo(200);
    HttpResponse<String> r = call(V2, "enrol", "{}", from, access);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(json(r).get("error").asText()).isEqualTo("insufficient_user_authentication");
    assertThat(r.headers().firstValue("www-authenticate"))
        .hasValue(
            "Bearer error=\"insufficient_user_authentication\","
                + " error_description=\"a fresh sign-in is required\", max_age=600");
    // a new sign-in is fresh
    String fresh = login("tss-stale", from).get("access_token").asText();
    assertThat(call(V2, "enrol", "{}", from, fresh).statusCode()).isEqualTo(200);
  }

  @Test
  void bodiesOutsideTheContractGetItsBadRequestBeforeTheTokenIsLookedAt() throws Exception {
    account(gw, "tss-contract");
    String from = address();
    String access = login("tss-contract", from).get("access_token").asText();
    for (String[] op :
        new String[][] {
          {"enrol", "{\"password\":\"x\"}"},
          {"enrol", "[]"},
          {"confirm", "{\"enrolment_token\":\"t\"}"},
          {"confirm", "{\"enrolment_token\":\"t\",\"code\":\"123456\",\"secret\":\"A\"}"},
          {"confirm", "{\"enrolment_token\":\"t\",\"code\":123456}"},
          {"disable", "{\"code\":\"123456\",\"recovery_code\":\"x\"}"},
          {"recovery-codes", "{}"}
        }) {
      HttpResponse<String> r = call(V2, op[0], op[1], from, access);
      assertThat(r.statusCode()).as(op[0] + " " + op[1]).isEqualTo(400);
      assertThat(json(r).has("violations")).isTrue();
    }
    assertThat(
            gw.client()
                .send(
                    java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(gw.url("/auth/totp/enrol")))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(405);
  }

  // ---- enrolment ----

  @ParameterizedTest
  @EnumSource(
      value = HttpClient.Version.class,
      names = {"HTTP_1_1", "HTTP_2"})
  void enrolmentIsPendingUntilACodeConfirmsItAndTheCodeIsNotReplayableAtLogin(HttpClient.Version v)
      throws Exception {
    String name = "tss-enrol-" + v;
    Account a = account(gw, name);
    String from = address();
    String access = login(name, from).get("access_token").asText();

    HttpResponse<String> e = call(v, "enrol", "{}", from, access);
    assertThat(e.statusCode()).as(e.body()).isEqualTo(200);
    assertThat(e.headers().firstValue("cache-control")).contains("no-store");
    JsonNode started = json(e);
    TotpSecret secret = TotpSecret.fromBase32(started.get("secret").asText());
    assertThat(started.get("otpauth_uri").asText())
        .startsWith("otpauth://totp/Bulwark:")
        .contains("secret=" + secret.base32());
    assertThat(started.get("qr_svg").asText()).startsWith("<svg ").doesNotContain("<script");
    assertThat(started.get("expires_in").asLong()).isBetween(1L, 600L);
    String token = started.get("enrolment_token").asText();

    // pending: not active, a login still gives tokens at once
    assertThat(enrolled(a)).isFalse();
    assertThat(login(name, from).has("access_token")).isTrue();

    // a wrong code: refused, the token stays usable
    long step = now();
    String wrong = code(secret, step + 5);
    HttpResponse<String> bad = call(v, "confirm", confirmBody(token, wrong), from, access);
    assertThat(bad.statusCode()).isEqualTo(401);
    assertThat(json(bad).get("error").asText()).isEqualTo("invalid_code");
    gw.awaitLine("mfa-failed", "\"login\":\"" + name.toLowerCase(java.util.Locale.ROOT) + "\"");
    assertThat(enrolled(a)).isFalse();

    String right = code(secret, step);
    HttpResponse<String> ok = call(v, "confirm", confirmBody(token, right), from, access);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(ok.headers().firstValue("cache-control")).contains("no-store");
    JsonNode confirmed = json(ok);
    assertThat(confirmed.get("recovery_codes")).hasSize(10);
    assertThat(confirmed.get("recovery_codes").get(0).asText())
        .matches("[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}");
    assertThat(enrolled(a)).isTrue();
    gw.awaitLine("second-factor-enrolled", a.id());

    // the enrolment token works once
    HttpResponse<String> again = call(v, "confirm", confirmBody(token, right), from, access);
    assertThat(again.statusCode()).isEqualTo(401);
    assertThat(json(again).get("error").asText()).isEqualTo("invalid_enrolment_token");

    // a login now needs the second factor, and the confirming code is spent
    assertThat(mfa(name, from, "code", right)).startsWith("refused:").contains("invalid_code");
    String withOtp = mfa(name, from, "code", code(secret, step + 1));
    assertThat(get(gw, v, "/admin/x", withOtp).statusCode()).isEqualTo(200);
  }

  @Test
  void anAccountWithTotpCannotEnrolAgainUntilItIsRemoved() throws Exception {
    String name = "tss-twice";
    account(gw, name);
    String from = address();
    String access = login(name, from).get("access_token").asText();
    Enrolled en = enrolThroughTheApi(access, from);
    HttpResponse<String> twice = call(V2, "enrol", "{}", from, access);
    assertThat(twice.statusCode()).isEqualTo(409);
    // a second enrolment started before the first was confirmed cannot replace the secret
    assertThat(en.recoveryCodes()).hasSize(10);
  }

  @Test
  void aSecondPendingEnrolmentCannotReplaceAConfirmedSecret() throws Exception {
    String name = "tss-race";
    Account a = account(gw, name);
    String from = address();
    String access = login(name, from).get("access_token").asText();
    JsonNode first = json(call(V2, "enrol", "{}", from, access));
    JsonNode second = json(call(V2, "enrol", "{}", from, access));
    TotpSecret s1 = TotpSecret.fromBase32(first.get("secret").asText());
    TotpSecret s2 = TotpSecret.fromBase32(second.get("secret").asText());
    long step = now();
    assertThat(
            call(
                    V2,
                    "confirm",
                    confirmBody(first.get("enrolment_token").asText(), code(s1, step)),
                    from,
                    access)
                .statusCode())
        .isEqualTo(200);
    HttpResponse<String> r =
        call(
            V2,
            "confirm",
            confirmBody(second.get("enrolment_token").asText(), code(s2, step)),
            from,
            access);
    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(store().totp(a.id()).toCompletableFuture().get().orElseThrow().secret())
        .isEqualTo(s1.bytes());
  }

  @Test
  void anotherAccountsEnrolmentTokenIsRefusedAndLeftUsable() throws Exception {
    Account alice = account(gw, "tss-alice");
    Account bob = account(gw, "tss-bob");
    String from = address();
    String aliceAccess = login("tss-alice", from).get("access_token").asText();
    String bobAccess = login("tss-bob", from).get("access_token").asText();
    JsonNode started = json(call(V2, "enrol", "{}", from, aliceAccess));
    TotpSecret secret = TotpSecret.fromBase32(started.get("secret").asText());
    String token = started.get("enrolment_token").asText();
    String right = code(secret, now());

    HttpResponse<String> stolen = call(V2, "confirm", confirmBody(token, right), from, bobAccess);
    assertThat(stolen.statusCode()).isEqualTo(401);
    assertThat(json(stolen).get("error").asText()).isEqualTo("invalid_enrolment_token");
    assertThat(enrolled(bob)).isFalse();
    assertThat(enrolled(alice)).isFalse();

    HttpResponse<String> own = call(V2, "confirm", confirmBody(token, right), from, aliceAccess);
    assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
    assertThat(enrolled(alice)).isTrue();
  }

  @Test
  void anEditedOrForgedEnrolmentTokenMatchesNothing() throws Exception {
    Account a = account(gw, "tss-forge");
    String from = address();
    String access = login("tss-forge", from).get("access_token").asText();
    String token = json(call(V2, "enrol", "{}", from, access)).get("enrolment_token").asText();
    // the attacker's own secret put into the token: a code of it proves nothing
    TotpSecret mine = TotpSecret.fromBase32("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
    String[] p = token.split("\\.");
    assertThat(p).hasSize(4);
    String edited = p[0] + "." + p[1] + "." + mine.base32() + "." + p[3];
    String longer = p[0] + "." + (Long.parseLong(p[1]) + 3600) + "." + p[2] + "." + p[3];
    for (String t :
        List.of(
            edited,
            longer,
            "te1.99999999999." + mine.base32() + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "garbage")) {
      HttpResponse<String> r = call(V2, "confirm", confirmBody(t, code(mine, now())), from, access);
      assertThat(r.statusCode()).as(t).isEqualTo(401);
      assertThat(json(r).get("error").asText()).isIn("invalid_enrolment_token", "invalid_code");
    }
    assertThat(enrolled(a)).isFalse();
  }

  @Test
  void wrongConfirmationCodesShareTheSecondFactorThrottleAndEndIn429() throws Exception {
    try (StubUpstream up = new StubUpstream();
        TestGateway g =
            TestGateway.startYaml(
                LoginApiTest.config("  login-throttle: { hold-limit: 0s }", "0s", "")
                    .replace("UPSTREAM", "http://127.0.0.1:" + up.port())
                    // beside the class's gateway: an admin listener of its own
                    .replace(
                        "https: 127.0.0.1:0\n", "https: 127.0.0.1:0\n  admin: 127.0.0.1:0\n"))) {
      account(g, "tss-throttled");
      String from = address();
      String access =
          json(post(g, V2, "/auth/login", loginBody("tss-throttled", PASSWORD), from))
              .get("access_token")
              .asText();
      HttpResponse<String> e =
          post(g, V2, "/auth/totp/enrol", "{}", from, "authorization", "Bearer " + access);
      TotpSecret secret = TotpSecret.fromBase32(json(e).get("secret").asText());
      String token = json(e).get("enrolment_token").asText();
      String wrong = code(secret, now() + 5);
      List<Integer> statuses = new ArrayList<>();
      HttpResponse<String> last;
      do {
        last =
            post(
                g,
                V2,
                "/auth/totp/confirm",
                confirmBody(token, wrong),
                from,
                "authorization",
                "Bearer " + access);
        statuses.add(last.statusCode());
      } while (last.statusCode() != 429 && statuses.size() < 6);
      assertThat(statuses).startsWith(401, 401, 401);
      assertThat(last.statusCode()).isEqualTo(429);
      assertThat(last.headers().firstValue("retry-after")).isPresent();
      // while it lasts, the right code is not even checked
      HttpResponse<String> right =
          post(
              g,
              V2,
              "/auth/totp/confirm",
              confirmBody(token, code(secret, now())),
              from,
              "authorization",
              "Bearer " + access);
      assertThat(right.statusCode()).isEqualTo(429);
      g.awaitLine("login-throttled", "tss-throttled");
    }
  }

  // ---- removal ----

  @Test
  void removalRefusesTheCodeJustUsedAtLoginAndEndsEverySessionWithOtp() throws Exception {
    String name = "tss-remove";
    Account a = account(gw, name);
    String from = address();
    Enrolled en = enrolThroughTheApi(login(name, from).get("access_token").asText(), from);
    long step = now();
    String used = code(en.secret(), Math.max(step, en.step() + 1));
    JsonNode first = login(name, from);
    HttpResponse<String> signedIn =
        post(
            gw,
            V2,
            "/auth/mfa",
            "{\"mfa_token\":\"" + first.get("mfa_token").asText() + "\",\"code\":\"" + used + "\"}",
            from);
    assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(200);
    String access = json(signedIn).get("access_token").asText();
    String refresh = json(signedIn).get("refresh_token").asText();
    assertThat(get(gw, V2, "/admin/x", access).statusCode()).isEqualTo(200);

    // the code used at login moments before: refused
    HttpResponse<String> replayed =
        call(V2, "disable", "{\"code\":\"" + used + "\"}", from, access);
    assertThat(replayed.statusCode()).isEqualTo(401);
    assertThat(json(replayed).get("error").asText()).isEqualTo("invalid_code");
    assertThat(enrolled(a)).isTrue();
    // no code at all: the contract's 400
    assertThat(call(V2, "disable", "{}", from, access).statusCode()).isEqualTo(400);
    assertThat(call(V2, "disable", "{\"code\":\"1\",\"x\":1}", from, access).statusCode())
        .isEqualTo(400);

    String fresh = code(en.secret(), Math.max(step, en.step() + 1) + 1);
    HttpResponse<String> off = call(V2, "disable", "{\"code\":\"" + fresh + "\"}", from, access);
    assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
    assertThat(enrolled(a)).isFalse();
    assertThat(store().recoveryCodes(a.id()).toCompletableFuture().get()).isEmpty();
    gw.awaitLine("second-factor-removed", a.id());

    // no token of a session signed in with otp outlives the removal
    assertThat(get(gw, V2, "/admin/x", access).statusCode()).isEqualTo(401);
    HttpResponse<String> refreshed =
        post(gw, V2, "/auth/refresh", "{\"refresh_token\":\"" + refresh + "\"}", from);
    assertThat(refreshed.statusCode()).isEqualTo(401);

    // a login gives tokens at once again, without the second factor's amr
    JsonNode after = login(name, from);
    assertThat(after.has("access_token")).isTrue();
    assertThat(get(gw, V2, "/admin/x", after.get("access_token").asText()).statusCode())
        .isEqualTo(401);
    // and removing again finds nothing to remove
    assertThat(
            call(
                    V2,
                    "disable",
                    "{\"code\":\"" + fresh + "\"}",
                    from,
                    after.get("access_token").asText())
                .statusCode())
        .isEqualTo(409);
  }

  @Test
  void removalWithARecoveryCodeUsesItUpAndOneUsedAtLoginIsRefused() throws Exception {
    String name = "tss-recover";
    Account a = account(gw, name);
    String from = address();
    Enrolled en = enrolThroughTheApi(login(name, from).get("access_token").asText(), from);
    String access = mfa(name, from, "recovery_code", en.recoveryCodes().get(0));
    assertThat(access).doesNotStartWith("refused:");
    HttpResponse<String> spent =
        call(
            V2,
            "disable",
            "{\"recovery_code\":\"" + en.recoveryCodes().get(0) + "\"}",
            from,
            access);
    assertThat(spent.statusCode()).isEqualTo(401);
    assertThat(json(spent).get("error").asText()).isEqualTo("invalid_code");
    HttpResponse<String> off =
        call(
            V2,
            "disable",
            "{\"recovery_code\":\"" + en.recoveryCodes().get(1).toLowerCase() + "\"}",
            from,
            access);
    assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
    assertThat(enrolled(a)).isFalse();
    assertThat(store().recoveryCodes(a.id()).toCompletableFuture().get()).isEmpty();
  }

  // ---- recovery codes ----

  @Test
  void newRecoveryCodesNeedAFreshCodeAndReplaceTheOldOnes() throws Exception {
    String name = "tss-codes";
    account(gw, name);
    String from = address();
    String access = login(name, from).get("access_token").asText();
    Enrolled en = enrolThroughTheApi(access, from);
    // the code that confirmed the enrolment is spent
    HttpResponse<String> replayed =
        call(
            V2,
            "recovery-codes",
            "{\"code\":\"" + code(en.secret(), en.step()) + "\"}",
            from,
            access);
    assertThat(replayed.statusCode()).isEqualTo(401);
    HttpResponse<String> r =
        call(
            V2,
            "recovery-codes",
            "{\"code\":\"" + code(en.secret(), en.step() + 1) + "\"}",
            from,
            access);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("cache-control")).contains("no-store");
    List<String> fresh = new ArrayList<>();
    json(r).get("recovery_codes").forEach(n -> fresh.add(n.asText()));
    assertThat(fresh).hasSize(10).doesNotContainAnyElementsOf(en.recoveryCodes());
    gw.awaitLine("recovery-codes-replaced");
    assertThat(mfa(name, from, "recovery_code", en.recoveryCodes().get(2))).startsWith("refused:");
    assertThat(mfa(name, from, "recovery_code", fresh.get(2))).doesNotStartWith("refused:");
  }

  @Test
  void anAccountWithoutTotpHasNoRecoveryCodesToReplace() throws Exception {
    account(gw, "tss-none");
    String from = address();
    String access = login("tss-none", from).get("access_token").asText();
    HttpResponse<String> r = call(V2, "recovery-codes", "{\"code\":\"123456\"}", from, access);
    assertThat(r.statusCode()).isEqualTo(409);
  }
}
