package dev.bulwark.proxy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.HashMap;
import java.util.Map;

/**
 * The pooled keep-alive HTTP clients of one event loop, one per distinct upstream TLS setting;
 * upstream certificates are verified (host name included) unless a route explicitly opts out.
 * Confined to the event loop that created it.
 */
public final class UpstreamClients {
  /** Requests waiting for a pooled connection beyond this are refused (502) rather than queued. */
  static final int MAX_WAIT_QUEUE = 4096;

  private final Vertx vertx;
  private final Map<UpstreamTarget.ClientKey, HttpClient> clients = new HashMap<>();

  public UpstreamClients(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Returns the client for a target, creating it on first use. */
  public HttpClient client(UpstreamTarget target) {
    return clients.computeIfAbsent(target.clientKey(), this::create);
  }

  private HttpClient create(UpstreamTarget.ClientKey key) {
    HttpClientOptions options =
        new HttpClientOptions()
            .setProtocolVersion(HttpVersion.HTTP_1_1)
            .setKeepAlive(true)
            .setKeepAliveTimeout(30)
            .setPipelining(false)
            .setDecompressionSupported(false)
            .setTcpNoDelay(true)
            .setMaxHeaderSize(64 * 1024)
            .setMaxInitialLineLength(8 * 1024)
            .setTracingPolicy(io.vertx.core.tracing.TracingPolicy.IGNORE);
    if (key.tls()) {
      options.setSsl(true).setForceSni(true).setVerifyHost(!key.insecureSkipVerify());
      if (key.insecureSkipVerify()) {
        options.setTrustAll(true);
      } else if (key.caBundle() != null) {
        options.setTrustOptions(new PemTrustOptions().addCertPath(key.caBundle().toString()));
      }
    }
    PoolOptions pool =
        new PoolOptions().setHttp1MaxSize(key.poolSize()).setMaxWaitQueueSize(MAX_WAIT_QUEUE);
    return vertx.createHttpClient(options, pool);
  }

  /** Closes every client. */
  public void close() {
    clients.values().forEach(HttpClient::close);
    clients.clear();
  }
}
