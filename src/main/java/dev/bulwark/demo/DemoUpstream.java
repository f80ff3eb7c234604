package dev.bulwark.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * The small backend that {@code bulwark demo} puts behind the gateway: {@code /api/hello}, {@code
 * /api/echo} (echoes a JSON body) and {@code /api/boom} (a 500 with a stack trace and a version
 * banner, as careless backends send, so that masking can be seen).
 */
public final class DemoUpstream {
  private static final int MAX_ECHO = 64 * 1024;

  /** Payments made: a replayed answer shows the number of the one execution it repeats. */
  private static final java.util.concurrent.atomic.AtomicLong PAYMENTS =
      new java.util.concurrent.atomic.AtomicLong();

  private DemoUpstream() {}

  /** Starts the demo upstream on 127.0.0.1 (port 0 picks a free one). */
  public static Future<HttpServer> start(Vertx vertx, int port) {
    return vertx.createHttpServer().requestHandler(DemoUpstream::handle).listen(port, "127.0.0.1");
  }

  private static void handle(HttpServerRequest req) {
    String path = req.path() == null ? "" : req.path();
    switch (path) {
      case "/api/hello" -> json(req, 200, "{\"message\":\"hello from the demo upstream\"}");
      case "/api/echo" ->
          req.body()
              .onSuccess(
                  b -> {
                    if (b.length() > MAX_ECHO) {
                      json(req, 413, "{\"error\":\"too large\"}");
                    } else {
                      req.response()
                          .putHeader(
                              "content-type",
                              req.getHeader("content-type") == null
                                  ? "application/octet-stream"
                                  : req.getHeader("content-type"))
                          .putHeader("x-powered-by", "DemoFramework/1.2.3")
                          .end(b);
                    }
                  })
              .onFailure(e -> req.response().setStatusCode(400).end());
      case "/api/payments" ->
          req.body()
              .onSuccess(
                  b ->
                      json(
                          req,
                          201,
                          "{\"payment\":"
                              + PAYMENTS.incrementAndGet()
                              + ",\"bytes\":"
                              + b.length()
                              + "}"))
              .onFailure(e -> req.response().setStatusCode(400).end());
      case "/api/boom" ->
          req.response()
              .setStatusCode(500)
              .putHeader("content-type", "text/plain")
              .putHeader("server", "Apache/2.4.1 (Unix)")
              .putHeader("x-powered-by", "PHP/5.4.0")
              .end(
                  "java.lang.IllegalStateException: database password=hunter2 rejected\n"
                      + "\tat com.example.orders.OrderService.place(OrderService.java:42)\n"
                      + "\tat /srv/app/releases/2026-11-01/lib/orders.jar\n");
      default -> {
        if (path.startsWith("/api/admin/")
            || path.startsWith("/api/orgs/")
            || path.startsWith("/api/mtls/")
            || path.startsWith("/api/signed/")
            || path.equals("/api/me")
            || path.equals("/api/step-up")) {
          // What the gateway vouched for: the backend reads identity headers, never the token.
          json(
              req,
              200,
              "{\"subject\":\""
                  + String.valueOf(req.getHeader("x-bulwark-subject"))
                      .replaceAll("[^A-Za-z0-9@._:/-]", "?") // a SPIFFE ID for mTLS
                  + "\",\"roles\":\""
                  + String.valueOf(req.getHeader("x-bulwark-roles"))
                      .replaceAll("[^A-Za-z0-9@.,_-]", "?")
                  + "\"}");
        } else {
          json(req, 404, "{\"error\":\"no such demo endpoint\"}");
        }
      }
    }
  }

  private static void json(HttpServerRequest req, int status, String body) {
    req.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .putHeader("server", "DemoServer/0.9")
        .putHeader("x-powered-by", "DemoFramework/1.2.3")
        .end(body);
  }
}
