package dev.bulwark.endpoint.login;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.config.ConfigSection;
import dev.bulwark.config.MatchConfig;
import dev.bulwark.endpoint.EndpointFactory;
import dev.bulwark.exchange.AttributeKey;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.HeaderMap;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.identity.IdentitySettings;
import dev.bulwark.identity.tokens.LocalIssuer;
import dev.bulwark.identity.tokens.Origin;
import dev.bulwark.identity.tokens.TokenGrant;
import dev.bulwark.identity.tokens.TokenService;
import dev.bulwark.identity.tokens.TokensConfig;
import dev.bulwark.policy.Compilation;
import dev.bulwark.policy.GatewayContext;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.RouteContext;
import dev.bulwark.policy.Stage;
import dev.bulwark.policy.contract.ContractConfig;
import dev.bulwark.policy.contract.ContractPolicy;
import dev.bulwark.policy.contract.JsonLimits;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The JSON login API of a route with {@code serve: login}: {@code POST login}, {@code mfa}, {@code
 * refresh}, {@code logout} and {@code invitation} under the route's prefix, and an account's own
 * second factor with its access token: {@code totp/enrol}, {@code totp/confirm}, {@code
 * totp/disable} and {@code totp/recovery-codes}. The OpenAPI contract shipped with it ({@code
 * openapi/login.yaml}) runs first, on the same route, so every body that reaches this endpoint has
 * the declared shape; unknown paths get the contract's 404 and other methods its 405. Every answer
 * is JSON, marked {@code Cache-Control: no-store}; store failures and a full hashing queue answer
 * 503 with {@code Retry-After}.
 */
public final class LoginEndpoint implements Policy {
  /** The kind of the endpoint, as {@code serve} names it. */
  public static final String KIND = "login";

  /** The OpenAPI document of the login API, in the jar. */
  public static final String CONTRACT_RESOURCE = "openapi/login.yaml";

  /** The largest body the login API reads, whatever the route's own limit. */
  static final long MAX_BODY = 64 * 1024;

  /** The contract's JSON limits: flat objects of a few short strings (login names up to 16K). */
  static final JsonLimits JSON = new JsonLimits(4, 8, 8, 16 * 1024, 16);

  static final Denial INVALID_CREDENTIALS =
      Denial.of(401, "invalid_credentials", "login: wrong login name or password");
  static final Denial INVALID_CODE =
      Denial.of(401, "invalid_code", "login: wrong, replayed or malformed second factor");
  static final Denial INVALID_MFA_TOKEN =
      Denial.of(401, "invalid_mfa_token", "login: mfa_token unknown, used or expired");
  static final Denial INVALID_GRANT =
      Denial.of(401, "invalid_grant", "login: refresh token refused");
  static final Denial INVALID_TOKEN =
      Denial.of(401, "invalid_token", "login: no valid access token");
  static final Denial INVALID_ENROLMENT_TOKEN =
      Denial.of(
          401,
          "invalid_enrolment_token",
          "login: enrolment_token unknown, used, expired or another account's");
  static final Denial STALE_SIGN_IN =
      Denial.of(
          401, "insufficient_user_authentication", "login: TOTP enrolment needs a fresh sign-in");
  static final Denial ALREADY_ENROLLED =
      Denial.of(409, "second factor already enrolled", "login: TOTP is on; remove it first");
  static final Denial NOT_ENROLLED =
      Denial.of(409, "no second factor", "login: the account has no TOTP");
  static final Denial THROTTLED =
      Denial.of(429, "too many requests", "login: throttled after failed attempts");
  static final Denial UNAVAILABLE =
      Denial.of(503, "service unavailable", "login: account store or token store failed");
  static final Denial HASHING_FULL =
      Denial.of(503, "service unavailable", "login: password hashing queue full");
  static final Denial NOT_FOUND = Denial.of(404, "not found", "login: no such operation");

  private static final List<String> OPERATIONS =
      List.of(
          "login",
          "mfa",
          "refresh",
          "logout",
          "invitation",
          "totp/enrol",
          "totp/confirm",
          "totp/disable",
          "totp/recovery-codes");
  private static final AttributeKey<Buffer> ANSWER = AttributeKey.of("login-answer");
  private static final CharSequence CONTENT_TYPE = HeaderMap.constant("content-type");
  private static final CharSequence CACHE_CONTROL = HeaderMap.constant("cache-control");
  private static final CharSequence PRAGMA = HeaderMap.constant("pragma");
  private static final CharSequence RETRY_AFTER = HeaderMap.constant("retry-after");
  private static final CharSequence WWW_AUTHENTICATE = HeaderMap.constant("www-authenticate");
  private static final ObjectMapper JSON_MAPPER = new ObjectMapper();
  private static final byte[] CONTRACT = readContract();

  private final String base;
  private final PasswordLogin passwords;
  private final SecondFactor secondFactor;
  private final Sessions sessions;
  private final Invitations invitations;
  private final TotpEnrolment enrolment;
  private final TotpConfirmation confirmation;
  private final TotpRemoval removal;
  private final RecoveryCodeRenewal renewal;

  LoginEndpoint(String base, LoginServices services) {
    this.base = base.equals("/") ? "" : base;
    this.passwords = new PasswordLogin(services);
    this.secondFactor = new SecondFactor(services);
    this.sessions = new Sessions(services);
    this.invitations = new Invitations(services);
    this.enrolment = new TotpEnrolment(services);
    this.confirmation = new TotpConfirmation(services);
    this.removal = new TotpRemoval(services);
    this.renewal = new RecoveryCodeRenewal(services);
  }

  /** Makes the login API of a route with {@code serve: login}: its contract, then the endpoint. */
  public static final class Factory implements EndpointFactory {
    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public List<ConfigSection<?>> sections() {
      return List.of(new LoginSection());
    }

    @Override
    public List<Policy> serve(
        GatewayContext gateway, List<Compilation> features, RouteContext route) {
      MatchConfig match = route.match();
      String base = match == null ? null : LoginSection.basePath(match.path());
      TokensConfig tokens = gateway.config().tokens();
      if (base == null || !tokens.enabled()) {
        throw new IllegalStateException("login: route " + route.name() + " was not checked");
      }
      LoginServices services =
          LoginServices.create(
              gateway,
              gateway.section(IdentitySettings.class),
              route.section(LoginSettings.class),
              TokenService.create(tokens, gateway.stores(), gateway.security(), gateway.clock()),
              new LocalIssuer(tokens, gateway.stores(), gateway.clock()),
              route.name());
      long maxBody = Math.min(MAX_BODY, route.limits().maxBody());
      return List.of(contract(base, maxBody), new LoginEndpoint(base, services));
    }
  }

  /** Returns the contract policy of the login API served under {@code base}. */
  static ContractPolicy contract(String base, long maxBody) {
    return ContractPolicy.compile(
        ContractConfig.shipped("login.yaml", CONTRACT, base, JSON), maxBody);
  }

  private static byte[] readContract() {
    try (InputStream in =
        LoginEndpoint.class.getClassLoader().getResourceAsStream(CONTRACT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(CONTRACT_RESOURCE + ": missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Stage stage() {
    return Stage.AUTHZ;
  }

  @Override
  public String name() {
    return KIND;
  }

  @Override
  public String describe() {
    return "login API under " + (base.isEmpty() ? "/" : base);
  }

  @Override
  public void onRequest(Exchange ex) {
    String path = ex.path();
    String op =
        path.startsWith(base + "/")
            ? path.substring(base.length() + 1).toLowerCase(Locale.ROOT)
            : "";
    if (!ex.request().method().equals("POST") || !OPERATIONS.contains(op)) {
      ex.deny(NOT_FOUND); // not reached behind the contract, which answers 404 or 405 first
      return;
    }
    ex.readBody(
        MAX_BODY,
        bytes -> {
          JsonNode body;
          try {
            body = JSON_MAPPER.readTree(bytes);
          } catch (IOException e) {
            body = null;
          }
          if (body == null || !body.isObject()) {
            ex.deny(Denial.of(400, "bad request", "login: body is not a JSON object"));
            return;
          }
          switch (op) {
            case "login" -> passwords.run(ex, body);
            case "mfa" -> secondFactor.run(ex, body);
            case "refresh" -> sessions.refresh(ex, body);
            case "invitation" -> invitations.run(ex, body);
            case "totp/enrol" -> enrolment.run(ex);
            case "totp/confirm" -> confirmation.run(ex, body);
            case "totp/disable" -> removal.run(ex, body);
            case "totp/recovery-codes" -> renewal.run(ex, body);
            default -> sessions.logout(ex, body);
          }
        });
  }

  @Override
  public void onResponse(Exchange ex, ResponseHead head) {
    Buffer answer = ex.attr(ANSWER);
    if (answer != null && head.status() == 200) {
      head.replaceBody(answer);
    }
  }

  // ---- what every operation shares ----

  /** Returns a string member of a validated body, or null. */
  static @Nullable String text(JsonNode body, String name) {
    JsonNode n = body.get(name);
    return n != null && n.isTextual() ? n.asText() : null;
  }

  /** Returns where a request came from, for the token service and its events. */
  static Origin origin(Exchange ex) {
    String ua = ex.request().header("user-agent");
    return new Origin(ex.requestId(), ex.clientAddress(), ua == null ? "" : ua);
  }

  /** Runs {@code then} on the exchange's loop with the stage's result or failure. */
  static <T> void after(Exchange ex, CompletionStage<T> stage, BiConsumer<T, Throwable> then) {
    stage.whenComplete((v, e) -> ex.resume(() -> then.accept(v, e)));
  }

  /** Runs {@code then} on the exchange's loop after {@code millis}. */
  static void hold(Exchange ex, long millis, Runnable then) {
    CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS).execute(() -> ex.resume(then));
  }

  /** Answers 200 with a JSON object, never cached. */
  static void ok(Exchange ex, ObjectNode json) {
    byte[] bytes;
    try {
      bytes = JSON_MAPPER.writeValueAsBytes(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("login answer not writable", e);
    }
    ex.attr(ANSWER, Buffer.buffer(bytes));
    HeaderMap h = ex.responseHeaders();
    h.set(CONTENT_TYPE, "application/json");
    noStore(ex);
    ex.answer(200);
  }

  /** Answers 204 (signed out), never cached. */
  static void noContent(Exchange ex) {
    noStore(ex);
    ex.answer(204);
  }

  private static void noStore(Exchange ex) {
    ex.responseHeaders().set(CACHE_CONTROL, "no-store");
    ex.responseHeaders().set(PRAGMA, "no-cache");
  }

  /** Answers 200 with tokens, as OAuth 2.0 token responses look. */
  static void tokens(Exchange ex, TokenGrant grant) {
    ObjectNode o = JSON_MAPPER.createObjectNode();
    o.put("access_token", grant.accessToken());
    o.put("token_type", "Bearer");
    o.put("expires_in", grant.expiresInSeconds());
    o.put("refresh_token", grant.refreshToken());
    ok(ex, o);
  }

  /** Returns an empty JSON object to fill. */
  static ObjectNode object() {
    return JSON_MAPPER.createObjectNode();
  }

  /** Refuses with a denial, never cached. */
  static void deny(Exchange ex, Denial d) {
    noStore(ex);
    ex.deny(d);
  }

  /** Refuses with 429 or 503 and when to come back. */
  static void retryLater(Exchange ex, Denial d, long seconds) {
    ex.responseHeaders().set(RETRY_AFTER, String.valueOf(Math.max(1, seconds)));
    deny(ex, d);
  }

  /** Answers 503 for a failed store or a full hashing queue. */
  static void unavailable(Exchange ex, Throwable failure) {
    Throwable t =
        failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
            ? c.getCause()
            : failure;
    retryLater(
        ex,
        t instanceof dev.bulwark.blocking.BlockingExecutor.Refused ? HASHING_FULL : UNAVAILABLE,
        1);
  }

  /** Refuses a call that needs a valid access token without one, with a Bearer challenge. */
  static void invalidToken(Exchange ex) {
    ex.responseHeaders().set(WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
    deny(ex, INVALID_TOKEN);
  }

  /**
   * Refuses a token whose sign-in is older than {@code maxAgeSeconds}, with the challenge of RFC
   * 9470 that says how recent it must be.
   */
  static void staleSignIn(Exchange ex, long maxAgeSeconds) {
    ex.responseHeaders()
        .set(
            WWW_AUTHENTICATE,
            "Bearer error=\"insufficient_user_authentication\","
                + " error_description=\"a fresh sign-in is required\", max_age="
                + maxAgeSeconds);
    deny(ex, STALE_SIGN_IN);
  }

  /** Returns the bytes of the shipped contract (for tests and docs checks). */
  static byte[] contractDocument() {
    return CONTRACT.clone();
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
