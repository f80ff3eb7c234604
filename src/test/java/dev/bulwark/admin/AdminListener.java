package dev.bulwark.admin;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.config.AdminConfig;
import dev.bulwark.pipeline.RecentDecisions;
import dev.bulwark.store.memory.MemoryBanStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * An admin router on a real Vert.x listener (loopback, ephemeral port) over a memory ban store,
 * with the security events it publishes kept, a token that a test may change, and a clock a test
 * moves by hand.
 */
final class AdminListener implements AutoCloseable {
  static final String TOKEN = "t0k3n-for-tests-only-0123456789abcdefXYZ";

  final Vertx vertx = Vertx.vertx();
  final AtomicReference<AdminConfig> config = new AtomicReference<>(AdminConfig.NONE);
  final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
  final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final MemoryBanStore bans = new MemoryBanStore(1000, 1000);
  private final HttpServer server;

  AdminListener(AdminAuthentication.Throttle throttle) throws Exception {
    this(throttle, null);
  }

  /**
   * A listener whose admin changes also go to {@code durable} (acknowledged once it stores them).
   */
  AdminListener(
      AdminAuthentication.Throttle throttle, dev.bulwark.audit.@Nullable DurableSink durable)
      throws Exception {
    AdminAuthentication auth =
        new AdminAuthentication(
            config::get,
            new SecurityEvents(List.of(events::add), nanos::get),
            vertx,
            registry,
            throttle,
            nanos::get);
    AdminRouter router =
        AdminEndpoints.register(
                AdminRouter.builder(auth),
                new AdminEndpoints.Sources(
                    () -> "bulwark_up 1\n",
                    () -> true,
                    () -> "{\"keys\":[]}",
                    bans,
                    new SecurityEvents(
                        durable == null ? List.of(events::add) : List.of(events::add, durable)),
                    RecentDecisions.off()::explain))
            .build();
    server =
        vertx
            .createHttpServer(new HttpServerOptions().setMaxHeaderSize(16 * 1024))
            .requestHandler(router)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  static AdminListener withoutDelay() throws Exception {
    return new AdminListener(
        new AdminAuthentication.Throttle(Duration.ZERO, 10, Duration.ofMinutes(1)));
  }

  AdminListener requireToken() {
    config.set(AdminConfig.withToken(TOKEN));
    return this;
  }

  int port() {
    return server.actualPort();
  }

  HttpResponse<String> send(String method, String path, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body.isEmpty()
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path, String... headers)
      throws IOException, InterruptedException {
    return send("GET", path, "", headers);
  }

  /** Sends raw bytes and returns everything the listener answers until it closes. */
  String raw(String request) throws IOException {
    try (Socket s = new Socket(java.net.InetAddress.getLoopbackAddress(), port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  /** Returns a request of these lines (request line, then headers) and an empty line. */
  static String http(String... lines) {
    return String.join("\r\n", lines) + "\r\n\r\n";
  }

  double counter(String name, String reason) {
    var c = registry.find(name).tag("reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
