package dev.bulwark.endpoint.login;

import static dev.bulwark.endpoint.login.LoginApiTest.PASSWORD;
import static dev.bulwark.endpoint.login.LoginApiTest.account;
import static dev.bulwark.endpoint.login.LoginApiTest.address;
import static dev.bulwark.endpoint.login.LoginApiTest.client;
import static dev.bulwark.endpoint.login.LoginApiTest.get;
import static dev.bulwark.endpoint.login.LoginApiTest.json;
import static dev.bulwark.endpoint.login.LoginApiTest.loginBody;
import static dev.bulwark.endpoint.login.LoginApiTest.post;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Forward-auth gives the answer the route itself gives: a token that lacks only the second factor a
 * route requires gets 401 with the RFC 9470 step-up challenge from both, so a client behind nginx,
 * Traefik or Caddy is told to step up as one talking to Bulwark directly is.
 */
class ForwardAuthStepUpTest {
  private static final HttpClient.Version V = HttpClient.Version.HTTP_1_1;
  private static final String STEP_UP =
      "Bearer realm=\"bulwark\", error=\"insufficient_user_authentication\","
          + " error_description=\"a second factor is required\", acr_values=\"mfa\"";

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
                .replace(
                    "routes:\n",
                    "routes:\n"
                        + "  - name: forward-auth\n"
                        + "    match: { path: /.bulwark/forward-auth }\n"
                        + "    serve: forward-auth\n"));
  }

  @AfterAll
  static void stop() {
    gw.close();
    upstream.close();
  }

  /** Asks forward-auth about {@code GET uri} with {@code token}, as nginx or Traefik would. */
  private static HttpResponse<String> judge(String uri, String token) throws Exception {
    return client(gw, V)
        .send(
            HttpRequest.newBuilder(URI.create(gw.url("/.bulwark/forward-auth")))
                .timeout(Duration.ofSeconds(10))
                .header("x-forwarded-method", "GET")
                .header("x-forwarded-uri", uri)
                .header("x-forwarded-host", "app.example.com")
                .header("authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static String passwordOnlyToken(String login) throws Exception {
    account(gw, login);
    HttpResponse<String> r = post(gw, V, "/auth/login", loginBody(login, PASSWORD), address());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r).get("access_token").asText();
  }

  @Test
  void aMissingSecondFactorIs401WithTheStepUpChallengeAsOnTheRouteItself() throws Exception {
    String access = passwordOnlyToken("stepper");
    HttpResponse<String> direct = get(gw, V, "/admin/x", access);
    HttpResponse<String> forward = judge("/admin/x?page=2", access);

    assertThat(direct.statusCode()).isEqualTo(401);
    assertThat(forward.statusCode()).as(forward.body()).isEqualTo(401);
    assertThat(forward.headers().allValues("www-authenticate")).containsExactly(STEP_UP);
    assertThat(forward.headers().allValues("www-authenticate"))
        .isEqualTo(direct.headers().allValues("www-authenticate"));
    assertThat(json(forward).path("error").asText()).isEqualTo(json(direct).path("error").asText());
    assertThat(forward.headers().firstValue("x-bulwark-subject")).isEmpty();
  }

  @Test
  void whenASecondFactorWouldNotBeEnoughTheAnswerStays403WithoutAStepUpHint() throws Exception {
    // /ops needs a second factor and role:ops; the caller lacks the role, so stepping up is useless
    String access = passwordOnlyToken("no-role");
    HttpResponse<String> direct = get(gw, V, "/ops/x", access);
    HttpResponse<String> forward = judge("/ops/x", access);

    assertThat(direct.statusCode()).isEqualTo(403);
    assertThat(forward.statusCode()).as(forward.body()).isEqualTo(403);
    assertThat(forward.headers().allValues("www-authenticate"))
        .containsExactly("Bearer realm=\"bulwark\", error=\"insufficient_scope\"")
        .isEqualTo(direct.headers().allValues("www-authenticate"));
  }

  @Test
  void aRouteWithoutASecondFactorRuleLetsThePasswordTokenThrough() throws Exception {
    String access = passwordOnlyToken("plain");
    HttpResponse<String> forward = judge("/api/x", access);
    assertThat(forward.statusCode()).as(forward.body()).isEqualTo(200);
    assertThat(forward.headers().firstValue("x-bulwark-subject")).isPresent();
  }
}
