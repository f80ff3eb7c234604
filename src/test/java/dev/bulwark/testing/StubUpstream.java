package dev.bulwark.testing;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A plain-HTTP upstream for tests: answers per path, records what it received. */
public final class StubUpstream implements AutoCloseable {
  /** One request as the upstream saw it. */
  public record Received(String method, String uri, MultiMap headers, Buffer body) {}

  private final Vertx vertx = Vertx.vertx();
  private final Map<String, Handler<HttpServerRequest>> handlers = new ConcurrentHashMap<>();
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final HttpServer server;

  public StubUpstream() throws Exception {
    server =
        vertx
            .createHttpServer()
            .requestHandler(this::handle)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  public int port() {
    return server.actualPort();
  }

  /** Answers requests to a path (exact) with a handler that sees the full body already read. */
  public StubUpstream on(String path, Handler<HttpServerRequest> handler) {
    handlers.put(path, handler);
    return this;
  }

  /** Returns the next request the upstream received, waiting up to 5 seconds. */
  public Received next() throws InterruptedException {
    Received r = received.poll(5, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("the upstream received no request");
    }
    return r;
  }

  /** Returns a request if one arrives within the time, else null. */
  public Received poll(long millis) throws InterruptedException {
    return received.poll(millis, TimeUnit.MILLISECONDS);
  }

  private void handle(HttpServerRequest req) {
    Handler<HttpServerRequest> h = handlers.get(req.path());
    if (h != null && req.path().startsWith("/raw/")) {
      h.handle(req);
      return;
    }
    req.body()
        .onSuccess(
            body -> {
              MultiMap copy = MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
              received.add(new Received(req.method().name(), req.uri(), copy, body));
              if (h != null) {
                h.handle(req);
              } else {
                req.response()
                    .putHeader("content-type", "application/json")
                    .end("{\"path\":\"" + req.path() + "\",\"bytes\":" + body.length() + "}");
              }
            });
  }

  @Override
  public void close() {
    vertx.close();
  }
}
