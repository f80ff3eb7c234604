package dev.bulwark.proxy;

import dev.bulwark.config.RouteLimits;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.VertxRequest;
import dev.bulwark.identity.Caller;
import dev.bulwark.identity.CertificateIdentity;
import dev.bulwark.identity.UpstreamIdentity;
import dev.bulwark.routing.RequestHost;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;

/**
 * Forwards an exchange that every stage let through to its upstream, on the event loop's pooled
 * clients, with rebuilt forwarding headers and the route's timeouts.
 */
public final class Forwarder {

  private final io.vertx.core.Vertx vertx;
  private final UpstreamClients clients;
  private final UpstreamListener listener;

  public Forwarder(io.vertx.core.Vertx vertx, UpstreamClients clients, UpstreamListener listener) {
    this.vertx = vertx;
    this.clients = clients;
    this.listener = listener;
  }

  /** Starts the upstream request; the server request must be paused. */
  public ProxyCall forward(
      Exchange ex, UpstreamTarget target, RouteLimits limits, UpstreamIdentity identity) {
    HttpServerRequest req = ex.httpRequest();
    String uri = req.query() == null ? ex.path() : ex.path() + "?" + req.query();
    ProxyCall call =
        new ProxyCall(vertx, ex, limits, listener, bodyFraming(req), target, identity, uri);
    ex.forwarding(call);
    UpstreamPool pool;
    try {
      pool = clients.pool(target);
    } catch (IOException e) {
      call.onConnectFailure(e); // the route's TLS setting cannot be built (e.g. unreadable CA)
      return call;
    }
    call.start(pool);
    return call;
  }

  /**
   * Writes the upstream request's headers into {@code headers} (the upstream request's own map, so
   * they are not built once more and copied): the client's end-to-end headers but the ones the
   * route drops, the identity headers, rebuilt forwarding headers and the Host.
   */
  static void writeUpstreamHeaders(
      Exchange ex, UpstreamTarget target, UpstreamIdentity identity, MultiMap headers) {
    HttpServerRequest req = ex.httpRequest();
    RequestHeaderRules rules = target.requestHeaders();
    HeaderHygiene.copyRequestHeaders(req.headers(), headers, rules);
    identity.apply(headers, ex.attr(Caller.KEY), ex.attr(CertificateIdentity.KEY), ex.requestId());
    ForwardingHeaders.set(req, ex, ex.trustedPeer(), headers);
    headers.set(
        HttpHeaders.HOST,
        target.preserveHost() && !ex.host().isEmpty() ? hostHeader(ex) : target.authority());
  }

  /** The client's host in its canonical form; the port only when it is not 443. */
  private static String hostHeader(Exchange ex) {
    return new RequestHost(ex.host(), ex.hostPort()).authority(443);
  }

  /** Returns whether the request carries no body at all. */
  public static boolean hasNoBody(HttpServerRequest req) {
    long framing = bodyFraming(req);
    return framing == ProxyCall.NO_BODY || framing == 0;
  }

  /** How the request body reaches the upstream: none, a fixed length, or chunked. */
  static long bodyFraming(HttpServerRequest req) {
    return VertxRequest.framing(req);
  }
}
