package dev.bulwark.endpoint.login;

import static dev.bulwark.endpoint.login.LoginApiTest.address;
import static dev.bulwark.endpoint.login.LoginApiTest.json;
import static dev.bulwark.endpoint.login.LoginApiTest.loginBody;
import static dev.bulwark.endpoint.login.LoginApiTest.post;
import static dev.bulwark.endpoint.login.LoginApiTest.withoutRequestId;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.identity.Invitation;
import dev.bulwark.store.AccountStore;
import dev.bulwark.store.ConsumedToken;
import dev.bulwark.store.OneTimePurpose;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /auth/invitation}: an invited account chooses its first password with the token the
 * admin API gave. Single use, refused after expiry, never for an account that has a password, the
 * same answer for every bad token, and a refused password leaves the token usable.
 */
class InvitationApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String GOOD = "copper kettle whistles over midnight rain";
  private static final HttpClient.Version V = HttpClient.Version.HTTP_1_1;

  @SuppressWarnings("NullAway.Init")
  static StubUpstream upstream;

  @SuppressWarnings("NullAway.Init")
  static TestGateway gw;

  @BeforeAll
  static void start() throws Exception {
    upstream = new StubUpstream();
    gw =
        TestGateway.startYaml(
            LoginApiTest.config("", "0s", "")
                .replace("UPSTREAM", "http://127.0.0.1:" + upstream.port())
                .replace("https: 127.0.0.1:0", "https: 127.0.0.1:0\n  admin: 127.0.0.1:0"));
  }

  @AfterAll
  static void stop() {
    gw.close();
    upstream.close();
  }

  /** Creates an invited account through the admin API; returns its id and token. */
  private static String[] invite(String login) throws Exception {
    HttpResponse<String> r = admin("POST", "/accounts", "{\"login\":\"" + login + "\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode n = JSON.readTree(r.body());
    return new String[] {
      n.path("account").path("id").asText(), n.path("invitation").path("token").asText()
    };
  }

  private static HttpResponse<String> redeem(String token, String password) throws Exception {
    return post(
        gw,
        V,
        "/auth/invitation",
        JSON.writeValueAsString(Map.of("token", token, "password", password)),
        address());
  }

  private static HttpResponse<String> admin(String method, String path, @Nullable String body)
      throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gw.gateway().adminPort() + path))
                .timeout(Duration.ofSeconds(20))
                .header("content-type", "application/json")
                .method(
                    method,
                    body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static AccountStore accounts() {
    return gw.gateway().stores().accounts();
  }

  @Test
  void anInvitedAccountChoosesItsPasswordOnceAndLogsIn() throws Exception {
    String[] ivy = invite("ivy-green");
    // before: the account cannot log in
    assertThat(post(gw, V, "/auth/login", loginBody("ivy-green", GOOD), address()).statusCode())
        .isEqualTo(401);

    HttpResponse<String> set = redeem(ivy[1], GOOD);
    assertThat(set.statusCode()).as(set.body()).isEqualTo(204);
    assertThat(set.headers().firstValue("cache-control")).hasValue("no-store");
    HttpResponse<String> in = post(gw, V, "/auth/login", loginBody("ivy-green", GOOD), address());
    assertThat(in.statusCode()).as(in.body()).isEqualTo(200);
    assertThat(json(in).path("refresh_token").asText()).isNotBlank();

    // single use: the same token again, even with another password, is refused
    HttpResponse<String> again = redeem(ivy[1], "another copper kettle at dawn");
    assertThat(again.statusCode()).isEqualTo(400);
    assertThat(json(again).path("error").asText()).isEqualTo("invalid or expired token");
    assertThat(post(gw, V, "/auth/login", loginBody("ivy-green", GOOD), address()).statusCode())
        .isEqualTo(200);
    assertThat(gw.lines())
        .anyMatch(l -> l.contains("\"event\":\"account-enabled\"") && l.contains(ivy[0]));
  }

  @Test
  void everyBadTokenGetsTheSameAnswer() throws Exception {
    String[] oak = invite("oak-tree");
    HttpResponse<String> unknown = redeem(Invitation.mint(), GOOD);
    HttpResponse<String> malformed = redeem("not a token at all", GOOD);
    HttpResponse<String> nul = redeem("abc\u0000def", GOOD);
    // a token minted for an account that has a password: no takeover through an invitation
    String withPassword = Invitation.mint();
    LoginApiTest.account(gw, "has-a-password");
    String hasId =
        accounts()
            .byLogin("has-a-password")
            .toCompletableFuture()
            .get(5, TimeUnit.SECONDS)
            .orElseThrow()
            .id();
    accounts()
        .issueToken(
            OneTimePurpose.INVITATION,
            hasId,
            Invitation.hash(withPassword),
            Instant.now().plusSeconds(600),
            1)
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
    HttpResponse<String> taken = redeem(withPassword, GOOD);
    // an expired one
    String expired = Invitation.mint();
    accounts()
        .issueToken(
            OneTimePurpose.INVITATION,
            oak[0],
            Invitation.hash(expired),
            Instant.now().minusSeconds(1),
            2)
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
    HttpResponse<String> late = redeem(expired, GOOD);
    for (HttpResponse<String> r : java.util.List.of(unknown, malformed, nul, taken, late)) {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      assertThat(withoutRequestId(r)).isEqualTo(withoutRequestId(unknown));
    }
    assertThat(json(unknown).path("error").asText()).isEqualTo("invalid or expired token");
    // the account that has a password keeps it
    assertThat(
            post(
                    gw,
                    V,
                    "/auth/login",
                    loginBody("has-a-password", LoginApiTest.PASSWORD),
                    address())
                .statusCode())
        .isEqualTo(200);
    assertThat(
            post(gw, V, "/auth/login", loginBody("has-a-password", GOOD), address()).statusCode())
        .isEqualTo(401);
  }

  @Test
  void aRefusedPasswordLeavesTheTokenUsable() throws Exception {
    String[] elm = invite("elm-street");
    HttpResponse<String> weak = redeem(elm[1], "short");
    assertThat(weak.statusCode()).isEqualTo(400);
    assertThat(json(weak).path("error").asText()).isEqualTo("password refused");
    assertThat(json(weak).path("reasons").size()).isPositive();
    assertThat(weak.body()).doesNotContain("short\"");
    // close to the login name: only the account tells, so the token was used to find it and put
    // back
    HttpResponse<String> close = redeem(elm[1], "elm-street-elm-street-99");
    assertThat(close.statusCode()).as(close.body()).isEqualTo(400);
    assertThat(json(close).path("error").asText()).isEqualTo("password refused");
    HttpResponse<String> set = redeem(elm[1], GOOD);
    assertThat(set.statusCode()).as(set.body()).isEqualTo(204);
  }

  @Test
  void refusedPasswordsNeverLengthenTheInvitation() throws Exception {
    String[] ash = invite("ash-grove");
    // an invitation with an hour left, to the millisecond
    String token = Invitation.mint();
    Instant expires = Instant.ofEpochMilli(Instant.now().plus(Duration.ofHours(1)).toEpochMilli());
    accounts()
        .issueToken(OneTimePurpose.INVITATION, ash[0], Invitation.hash(token), expires, 2)
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
    // each password too close to the login name uses the token up and puts it back
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> close = redeem(token, "ash-grove-ash-grove-" + i + i);
      assertThat(close.statusCode()).as(close.body()).isEqualTo(400);
      assertThat(json(close).path("error").asText()).isEqualTo("password refused");
    }
    // put back with the expiry it was issued with, not a fresh Invitation.VALIDITY
    assertThat(
            accounts()
                .takeToken(OneTimePurpose.INVITATION, Invitation.hash(token), Instant.now())
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS))
        .contains(new ConsumedToken(ash[0], expires));
  }

  @Test
  void theContractGuardsTheBody() throws Exception {
    HttpResponse<String> extra =
        post(
            gw,
            V,
            "/auth/invitation",
            "{\"token\":\"x\",\"password\":\"y\",\"admin\":true}",
            address());
    assertThat(extra.statusCode()).isEqualTo(400);
    HttpResponse<String> huge =
        post(
            gw,
            V,
            "/auth/invitation",
            JSON.writeValueAsString(Map.of("token", "t".repeat(10_000), "password", GOOD)),
            address());
    assertThat(huge.statusCode()).isEqualTo(400);
  }
}
