package dev.bulwark.endpoint.reset;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.endpoint.EndpointFactory;
import dev.bulwark.exchange.AttributeKey;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.HeaderMap;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.identity.IdentitySettings;
import dev.bulwark.identity.mail.AccountMail;
import dev.bulwark.identity.mail.Mailer;
import dev.bulwark.identity.mail.PasswordReset;
import dev.bulwark.identity.password.PasswordHasher;
import dev.bulwark.identity.password.PasswordPolicy;
import dev.bulwark.identity.tokens.Origin;
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
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Serves {@code POST /auth/reset} (ask for a reset mail: always {@code 202} with the same body,
 * answered before any account is looked up), {@code POST /auth/reset/confirm} (a new password with
 * a reset or invitation token: {@code 204}, or {@code 400} with the policy's reasons or for a bad
 * token) and {@code POST /auth/reset/verify} (a verification token: {@code 204} or {@code 400}),
 * behind the contract {@code openapi/password-reset.yaml}. Served on a route with {@code serve:
 * password-reset}, which needs {@code identity.mail}.
 */
public final class PasswordResetEndpoint implements Policy {
  /** The kind of the endpoint. */
  public static final String KIND = "password-reset";

  /** The contract enforced in front of the endpoint, in the jar. */
  public static final String CONTRACT = "openapi/password-reset.yaml";

  /** The body of every {@code 202}, whatever the account. */
  public static final String ACCEPTED_BODY =
      "{\"message\":\"If this account exists and has an email address, a link to reset its"
          + " password has been sent to it.\"}";

  private static final Logger LOG = Logger.getLogger(PasswordResetEndpoint.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AttributeKey<Buffer> BODY = AttributeKey.of("reset.body");
  private static final CharSequence CONTENT_TYPE = HeaderMap.constant("content-type");
  private static final CharSequence RETRY_AFTER = HeaderMap.constant("retry-after");
  private static final CharSequence CACHE_CONTROL = HeaderMap.constant("cache-control");

  static final Denial INVALID_TOKEN =
      Denial.of(400, "invalid or expired token", "reset: token refused");
  static final Denial PASSWORD_REFUSED =
      Denial.of(400, "password refused", "reset: password refused by the policy");
  static final Denial TOO_MANY =
      Denial.of(429, "too many requests", "reset: per-address limit reached");
  static final Denial UNAVAILABLE =
      Denial.of(503, "service unavailable", "reset: store or password hashing unavailable");
  static final Denial NOT_FOUND = Denial.of(404, "not found", "reset: no such operation");
  static final Denial BAD_BODY = Denial.of(400, "bad request", "reset: body not the expected JSON");

  /** Makes the endpoint of a route with {@code serve: password-reset}. */
  public static final class Factory implements EndpointFactory {
    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public List<Policy> serve(
        GatewayContext gateway, List<Compilation> features, RouteContext route) {
      IdentitySettings identity = gateway.section(IdentitySettings.class);
      if (!identity.mail().enabled()) {
        throw new IllegalStateException("password-reset: identity.mail is not configured");
      }
      Mailer mailer = new Mailer(identity.mail(), gateway.security(), gateway.metrics());
      AccountMail mail =
          new AccountMail(mailer, gateway.stores().accounts(), identity.reset(), gateway.clock());
      TokensConfig tokens = gateway.config().tokens();
      TokenService sessions =
          tokens.enabled()
              ? TokenService.create(tokens, gateway.stores(), gateway.security(), gateway.clock())
              : null;
      PasswordReset reset =
          new PasswordReset(
              identity.reset(),
              gateway.stores().accounts(),
              gateway.stores().bans(),
              mail,
              PasswordPolicy.of(identity.passwords()),
              new PasswordHasher(identity.passwords().argon2()),
              gateway.blocking(),
              sessions,
              gateway.security());
      return List.of(
          ContractPolicy.compile(
              ContractConfig.shipped(
                  "password-reset.yaml",
                  ContractConfig.shippedDocument(CONTRACT),
                  "/",
                  JsonLimits.DEFAULTS),
              route.limits().maxBody()),
          new PasswordResetEndpoint(reset, route.name(), route.limits().maxBody()));
    }
  }

  private final PasswordReset reset;
  private final String route;
  private final long maxBody;
  private final String retryAfter;

  /** The endpoint of {@code route} over a reset service. */
  public PasswordResetEndpoint(PasswordReset reset, String route, long maxBody) {
    this.reset = requireNonNull(reset, "reset");
    this.route = requireNonNull(route, "route");
    this.maxBody = maxBody;
    this.retryAfter = String.valueOf(Math.max(1, reset.window().toSeconds()));
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
    return "password reset and email verification, no enumeration";
  }

  @Override
  public void onRequest(Exchange ex) {
    reset.mail().mailer().bind();
    if (!ex.request().method().equals("POST")) {
      ex.deny(NOT_FOUND);
      return;
    }
    String path = ex.path();
    ex.responseHeaders().set(CACHE_CONTROL, "no-store");
    ex.readBody(
        maxBody,
        bytes -> {
          JsonNode body = parse(bytes);
          if (body == null) {
            ex.deny(BAD_BODY);
            return;
          }
          switch (path) {
            case "/auth/reset" -> request(ex, body);
            case "/auth/reset/confirm" -> confirm(ex, body);
            case "/auth/reset/verify" -> verify(ex, body);
            default -> ex.deny(NOT_FOUND);
          }
        });
  }

  private void request(Exchange ex, JsonNode body) {
    String login = text(body, "login");
    if (login == null) {
      ex.deny(BAD_BODY);
      return;
    }
    Origin origin = origin(ex);
    reset
        .admit(ex.clientAddress())
        .whenComplete(
            (ok, e) ->
                ex.resume(
                    () -> {
                      if (!Boolean.TRUE.equals(ok)) {
                        ex.responseHeaders().set(RETRY_AFTER, retryAfter);
                        ex.deny(TOO_MANY);
                        return;
                      }
                      // Answered before the account is looked up: the answer and its time are
                      // the same for every login name.
                      answer(ex, 202, Buffer.buffer(ACCEPTED_BODY));
                      reset.requested(login, origin, route);
                    }));
  }

  private void confirm(Exchange ex, JsonNode body) {
    String token = text(body, "token");
    String password = text(body, "password");
    if (token == null || password == null) {
      ex.deny(BAD_BODY);
      return;
    }
    reset
        .confirm(token, password, origin(ex), route)
        .whenComplete(
            (c, e) ->
                ex.resume(
                    () -> {
                      if (e != null || c == null) {
                        failed(ex, e);
                      } else if (c instanceof PasswordReset.Confirmation.Done) {
                        ex.answer(204);
                      } else if (c instanceof PasswordReset.Confirmation.Refused r) {
                        ex.deny(PASSWORD_REFUSED.withDetails(reasons(r.reasons())));
                      } else {
                        ex.deny(INVALID_TOKEN);
                      }
                    }));
  }

  private void verify(Exchange ex, JsonNode body) {
    String token = text(body, "token");
    if (token == null) {
      ex.deny(BAD_BODY);
      return;
    }
    reset
        .verifyEmail(token, origin(ex), route)
        .whenComplete(
            (ok, e) ->
                ex.resume(
                    () -> {
                      if (e != null || ok == null) {
                        failed(ex, e);
                      } else if (ok) {
                        ex.answer(204);
                      } else {
                        ex.deny(INVALID_TOKEN);
                      }
                    }));
  }

  private void failed(Exchange ex, @Nullable Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (!(cause instanceof BlockingExecutor.Refused)) {
      LOG.log(
          Level.WARNING,
          "reset on route "
              + route
              + " failed: the account store did not answer ("
              + (cause == null ? "no detail" : cause.getClass().getSimpleName())
              + "); check store health");
    }
    ex.deny(UNAVAILABLE);
  }

  private static void answer(Exchange ex, int status, Buffer body) {
    ex.responseHeaders().set(CONTENT_TYPE, "application/json");
    ex.attr(BODY, body);
    ex.answer(status);
  }

  @Override
  public void onResponse(Exchange ex, ResponseHead head) {
    Buffer body = ex.attr(BODY);
    if (body != null && head.status() == 202) {
      head.replaceBody(body);
    }
  }

  private static Origin origin(Exchange ex) {
    String ua = ex.request().header("user-agent");
    return new Origin(ex.requestId(), ex.clientAddress(), ua == null ? "" : ua);
  }

  private static @Nullable JsonNode parse(byte[] bytes) {
    try {
      JsonNode n = JSON.readTree(bytes);
      return n != null && n.isObject() ? n : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  private static @Nullable String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  /** Returns {@code "reasons":[...]}, the policy's fixed sentences quoted as JSON strings. */
  static String reasons(List<String> reasons) {
    StringBuilder sb = new StringBuilder("\"reasons\":[");
    for (int i = 0; i < reasons.size(); i++) {
      sb.append(i == 0 ? "\"" : ",\"");
      JsonStringEncoder.getInstance().quoteAsString(reasons.get(i), sb);
      sb.append('"');
    }
    return sb.append(']').toString();
  }
}
