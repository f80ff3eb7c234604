package dev.bulwark.admin;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.pipeline.RecentDecisions;
import dev.bulwark.store.BanStore;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The admin listener's standard endpoints, registered into a router: {@code /healthz} and {@code
 * /readyz} (open: orchestrators probe them without a credential), {@code /.well-known/jwks.json}
 * (open: the public keys upstreams verify identity assertions with), {@code /metrics}, the ban API
 * and {@code /explain/{request-id}} (a recent request's decision trace) (operators only).
 */
public final class AdminEndpoints {
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  /** What the standard endpoints read: each a view of the running gateway. */
  public record Sources(
      Supplier<String> metrics,
      BooleanSupplier ready,
      Supplier<String> jwks,
      BanStore bans,
      SecurityEvents security,
      BiFunction<String, Boolean, RecentDecisions.Answer> explain) {
    public Sources {
      requireNonNull(metrics, "metrics");
      requireNonNull(ready, "ready");
      requireNonNull(jwks, "jwks");
      requireNonNull(bans, "bans");
      requireNonNull(security, "security");
      requireNonNull(explain, "explain");
    }
  }

  private AdminEndpoints() {}

  /** Adds every standard endpoint to {@code router}. */
  public static AdminRouter.Builder register(AdminRouter.Builder router, Sources sources) {
    router
        .get("/healthz", AdminAccess.OPEN, call -> call.json(200, "{\"status\":\"ok\"}"))
        .get(
            "/readyz",
            AdminAccess.OPEN,
            call -> {
              boolean ready = sources.ready().getAsBoolean();
              call.json(
                  ready ? 200 : 503,
                  ready ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}");
            })
        .get(
            "/.well-known/jwks.json",
            AdminAccess.OPEN,
            call -> call.json(200, sources.jwks().get()))
        .get(
            "/metrics",
            AdminAccess.OPERATOR,
            call -> call.send(200, PROMETHEUS_TEXT, sources.metrics().get()))
        .get(
            "/explain/{id}",
            AdminAccess.OPERATOR,
            call -> {
              String accept = call.header("accept");
              RecentDecisions.Answer a =
                  sources
                      .explain()
                      .apply(call.param("id"), accept != null && accept.contains("text/plain"));
              call.send(a.status(), a.contentType(), a.body());
            });
    new BanApi(new OperatorBans(sources.bans(), sources.security())).register(router);
    return router;
  }
}
