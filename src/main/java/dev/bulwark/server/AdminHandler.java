package dev.bulwark.server;

import dev.bulwark.observe.GatewayMetrics;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.BooleanSupplier;

/** The admin listener: {@code /metrics} (Prometheus text), {@code /healthz} and {@code /readyz}. */
final class AdminHandler implements Handler<HttpServerRequest> {
  private final GatewayMetrics metrics;
  private final BooleanSupplier ready;

  AdminHandler(GatewayMetrics metrics, BooleanSupplier ready) {
    this.metrics = metrics;
    this.ready = ready;
  }

  @Override
  public void handle(HttpServerRequest req) {
    String path = req.path();
    boolean get = req.method().name().equals("GET") || req.method().name().equals("HEAD");
    if (!get) {
      json(req, 405, "{\"error\":\"method not allowed\",\"status\":405}");
      return;
    }
    switch (path == null ? "" : path) {
      case "/metrics" ->
          req.response()
              .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
              .putHeader("cache-control", "no-store")
              .end(metrics.scrape());
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
