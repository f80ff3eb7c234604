package dev.bulwark.server;

import dev.bulwark.observe.GatewayMetrics;
import dev.bulwark.pipeline.RecentDecisions;
import dev.bulwark.policy.bans.BanAdmin;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The admin listener: {@code /metrics} (Prometheus text), {@code /healthz}, {@code /readyz}, the
 * ban API under {@code /bans}, {@code /.well-known/jwks.json} (the keys of the gateway's identity
 * assertions), and {@code /explain/{request-id}} (a recent request's decision trace).
 */
final class AdminHandler implements Handler<HttpServerRequest> {
  private final GatewayMetrics metrics;
  private final BooleanSupplier ready;
  private final BanAdmin bans;
  private final Supplier<String> jwks;
  private final RecentDecisions recent;

  AdminHandler(
      GatewayMetrics metrics,
      BooleanSupplier ready,
      BanAdmin bans,
      Supplier<String> jwks,
      RecentDecisions recent) {
    this.metrics = metrics;
    this.ready = ready;
    this.bans = bans;
    this.jwks = jwks;
    this.recent = recent;
  }

  @Override
  public void handle(HttpServerRequest req) {
    String path = req.path();
    if (path != null && (path.equals("/bans") || path.startsWith("/bans/"))) {
      bans.handle(req, path);
      return;
    }
    boolean get = req.method().name().equals("GET") || req.method().name().equals("HEAD");
    if (!get) {
      json(req, 405, "{\"error\":\"method not allowed\",\"status\":405}");
      return;
    }
    if (path != null && path.startsWith("/explain/")) {
      String accept = req.getHeader("accept");
      RecentDecisions.Answer a =
          recent.explain(path.substring(9), accept != null && accept.contains("text/plain"));
      req.response()
          .setStatusCode(a.status())
          .putHeader("content-type", a.contentType())
          .putHeader("cache-control", "no-store")
          .end(a.body());
      return;
    }
    switch (path == null ? "" : path) {
      case "/metrics" ->
          req.response()
              .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
              .putHeader("cache-control", "no-store")
              .end(metrics.scrape());
      case "/.well-known/jwks.json" -> json(req, 200, jwks.get());
      case "/healthz" -> json(req, 200, "{\"status\":\"ok\"}");
      case "/readyz" ->
          json(
              req,
              ready.getAsBoolean() ? 200 : 503,
              ready.getAsBoolean() ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}");
      default -> json(req, 404, "{\"error\":\"not found\",\"status\":404}");
    }
  }

  private static void json(HttpServerRequest req, int status, String body) {
    req.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store")
        .end(body);
  }
}
