package dev.bulwark.server;

import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ServerConfig;
import dev.bulwark.proxy.UpstreamClients;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** One event loop's HTTPS listener, with its own upstream clients and connection guard. */
final class GatewayVerticle extends VerticleBase {
  private final Supplier<CompiledGateway> current;
  private final SecurityEvents security;
  private final ConnectionCaps caps;
  private final int port;
  private final Consumer<HttpServer> started;
  private final Handler<Throwable> connectionFailures;
  private @Nullable UpstreamClients clients;
  private @Nullable ConnectionGuard guard;

  GatewayVerticle(
      Supplier<CompiledGateway> current,
      SecurityEvents security,
      ConnectionCaps caps,
      int port,
      Consumer<HttpServer> started,
      Handler<Throwable> connectionFailures) {
    this.current = current;
    this.security = security;
    this.caps = caps;
    this.port = port;
    this.started = started;
    this.connectionFailures = connectionFailures;
  }

  @Override
  public Future<?> start() {
    BulwarkConfig config = current.get().config();
    UpstreamClients c = new UpstreamClients(vertx);
    ConnectionGuard g = new ConnectionGuard(current, caps);
    clients = c;
    guard = g;
    g.start(vertx);
    GatewayHandler handler = new GatewayHandler(vertx, current, g, c, security);
    HttpServer server =
        vertx
            .createHttpServer(options(config))
            .requestHandler(handler)
            .invalidRequestHandler(handler::invalid)
            .connectionHandler(g::opened)
            // Failed TLS handshakes arrive here (set before listen: it is read then).
            .exceptionHandler(connectionFailures);
    return server.listen(port, config.listen().https().host()).onSuccess(started::accept);
  }

  @Override
  public Future<?> stop() {
    ConnectionGuard g = guard;
    if (g != null) {
      g.stop(vertx);
    }
    UpstreamClients c = clients;
    if (c != null) {
      c.close();
    }
    return Future.succeededFuture();
  }

  static HttpServerOptions options(BulwarkConfig config) {
    ServerConfig s = config.server();
    HttpServerOptions o =
        new HttpServerOptions()
            .setMaxInitialLineLength(s.maxUriLength() + 32)
            .setMaxHeaderSize(s.maxHeaderSize())
            .setCompressionSupported(false)
            .setDecompressionSupported(false)
            .setHandle100ContinueAutomatically(false)
            .setTcpNoDelay(true)
            .setAcceptBacklog(1024)
            // Every exchange is confined to its connection's event loop (policies that wait on a
            // store come back to it), so responses are written without a cross-thread queue.
            .setStrictThreadMode(true)
            .setInitialSettings(
                new Http2Settings()
                    .setMaxConcurrentStreams(100)
                    .setMaxHeaderListSize(s.maxHeaderSize()));
    TlsSetup.apply(o, config);
    return o;
  }
}
