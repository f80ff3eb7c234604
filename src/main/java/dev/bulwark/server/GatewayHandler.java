package dev.bulwark.server;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.exchange.DecisionTrace;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.ErrorJson;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.Forwarding;
import dev.bulwark.exchange.LoopTimer;
import dev.bulwark.exchange.RequestIds;
import dev.bulwark.exchange.VertxRequest;
import dev.bulwark.pipeline.ExchangeEnd;
import dev.bulwark.pipeline.LiveCarrier;
import dev.bulwark.pipeline.ServerHooks;
import dev.bulwark.pipeline.StagePipeline;
import dev.bulwark.policy.Refusal;
import dev.bulwark.policy.errors.LoggedBody;
import dev.bulwark.proxy.Forwarder;
import dev.bulwark.proxy.UpstreamClients;
import dev.bulwark.routing.PathNormalizer;
import dev.bulwark.routing.RequestHost;
import dev.bulwark.routing.RouteTable;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The request gate of an HTTPS listener on one event loop: the checks made before any stage runs.
 * It resolves who is asking (peer, client address through trusted proxies, request id), refuses a
 * banned client, a bad host, framing, method or expectation, matches the route, refuses a declared
 * body over the route's limit, then hands the exchange to the {@link StagePipeline}. Reads the
 * current compiled configuration per request, so a reload never touches an exchange in flight. As
 * the pipeline's {@link ServerHooks} it keeps the connection's books and counts ban strikes.
 */
final class GatewayHandler implements Handler<HttpServerRequest>, ServerHooks {
  private static final Logger LOG = Logger.getLogger(GatewayHandler.class.getName());
  private static final String[] NO_PARAMS = new String[0];
  private static final CharSequence REQUEST_ID = HttpHeaders.createOptimized("x-request-id");

  private final Vertx vertx;
  private final Supplier<CompiledGateway> current;
  private final ConnectionGuard guard;
  private final SecurityEvents security;
  private final StagePipeline pipeline;
  private final ExchangeEnd end;

  GatewayHandler(
      Vertx vertx,
      Supplier<CompiledGateway> current,
      ConnectionGuard guard,
      UpstreamClients clients,
      SecurityEvents security) {
    this.vertx = vertx;
    this.current = current;
    this.guard = guard;
    this.security = security;
    LiveCarrier carrier =
        new LiveCarrier(vertx, clients, security, () -> current.get().accessLog(), this);
    this.end = carrier.end();
    this.pipeline = new StagePipeline(carrier);
  }

  @Override
  public void handle(HttpServerRequest req) {
    long start = System.nanoTime();
    try {
      begin(req, start);
    } catch (RuntimeException e) {
      // A bug: the stack trace goes to the log under the id the client sees, never to the client.
      String id = RequestIds.next();
      LOG.log(Level.SEVERE, "request handling failed (requestId " + id + ")", e);
      internalError(req, id);
    }
  }

  private void begin(HttpServerRequest req, long start) {
    CompiledGateway gw = current.get();
    req.pause();
    if (guard.isClosing(req.connection())) {
      // A pipelined request decoded before a connection-ending answer: never run it.
      req.connection().close();
      return;
    }
    guard.requestStarted(req.connection());
    String peer = peerOf(req);
    boolean trusted = gw.clients().isTrusted(peer);
    String client =
        trusted
            ? gw.clients()
                .resolve(
                    peer,
                    req.headers().getAll("forwarded"),
                    req.headers().getAll("x-forwarded-for"))
            : untrustedClient(gw, req, peer);
    String id = requestId(req, trusted);
    Refusal refused = gw.checkClient(client);
    if (refused != null) {
      refuse(req, gw, refused, client, id, start);
      return;
    }
    RequestHost authority = RequestAuthority.of(req);
    String host = authority == null ? "" : authority.host();
    String rawPath = req.path();
    String path = rawPath == null ? null : PathNormalizer.normalize(rawPath);
    VertxRequest view =
        new VertxRequest(
            req,
            host,
            authority == null ? -1 : authority.port(),
            path == null ? "-" : path,
            client,
            trusted);

    CompiledRoute route = gw.fallback();
    String[] params = NO_PARAMS;
    Denial early = null;
    RouteTable.Match<CompiledRoute> match = null;
    if (req.version() == HttpVersion.HTTP_2
        && req.uri().length() > gw.config().server().maxUriLength()) {
      early = URI_TOO_LONG; // HTTP/1 request lines are bounded by the decoder
    } else if (headerLines(req, gw.config().server().maxHeaderCount())
        > gw.config().server().maxHeaderCount()) {
      early = Denial.TOO_MANY_HEADERS;
    } else if (hasBadFraming(req)) {
      early = Denial.BAD_FRAMING;
    } else if (!isStandardMethod(req.method().name())) {
      early = UNKNOWN_METHOD;
    } else if (hasUnknownExpectation(req)) {
      early = EXPECTATION_FAILED;
    } else if (authority == null) {
      early = BAD_HOST;
    } else if (path == null) {
      early = Denial.BAD_PATH;
    } else {
      match = gw.match(view, host, path, req.method().name());
      CompiledRoute matched = match.route();
      if (matched != null) {
        route = matched;
        params = match.params();
      } else {
        early = RouteRefusals.of(match);
        if (!match.allowed().isEmpty()) {
          req.response().putHeader(HttpHeaders.ALLOW, String.join(", ", match.allowed()));
        }
      }
    }
    if (early == null && declaredLength(req) > route.limits.maxBody()) {
      early = Denial.BODY_TOO_LARGE;
    }
    Exchange ex = new Exchange(view, view, pipeline, id, params, route, start);
    DecisionTrace trace = gw.recent().start();
    if (trace != null) { // server.explain-recent is on: keep this request's decisions
      trace.routed(route.name, RouteRefusals.why(match, early));
      ex.trace(trace);
    }
    ex.enterEdge(route.edgeCount);
    req.response().closeHandler(v -> end.clientClosed(ex));
    if (early != null) {
      pipeline.deny(ex, early);
      return;
    }
    armBodyTimer(ex, route);
    pipeline.proceed(ex);
  }

  /**
   * The client of a peer outside {@code trusted-proxies}: the peer itself, whatever forwarding
   * headers say. Those headers are warned about here, before any refusal, so a spoofed address is
   * seen on refused requests too (the warning holds itself to one line per interval).
   */
  private static String untrustedClient(CompiledGateway gw, HttpServerRequest req, String peer) {
    MultiMap h = req.headers();
    if (!h.isEmpty()) {
      gw.untrustedForwarding().note(peer, h.contains(FORWARDED), h.contains(X_FORWARDED_FOR));
    }
    return gw.clients().resolve(peer, java.util.List.of(), java.util.List.of());
  }

  private static final CharSequence FORWARDED = HttpHeaders.createOptimized("forwarded");
  private static final CharSequence X_FORWARDED_FOR =
      HttpHeaders.createOptimized("x-forwarded-for");

  /**
   * A client refused at the edge, before any other work (a banned client): the refusal's answer,
   * with {@code Retry-After} when it says when to come back, or the connection closed ({@code
   * drop}).
   */
  private void refuse(
      HttpServerRequest req,
      CompiledGateway gw,
      Refusal refusal,
      String client,
      String id,
      long start) {
    VertxRequest view = new VertxRequest(req, hostOf(req), -1, "-", client, false);
    Exchange ex = new Exchange(view, view, pipeline, id, NO_PARAMS, gw.fallback(), start);
    DecisionTrace trace = gw.recent().start();
    if (trace != null) {
      trace.routed(CompiledGateway.NO_ROUTE, "refused before routing by " + refusal.by());
      ex.trace(trace);
    }
    ex.enterEdge(gw.fallback().edgeCount);
    req.response().closeHandler(v -> end.clientClosed(ex));
    if (refusal.drop()) {
      ex.decide(refusal.by(), "drop", refusal.denial().reason());
      ex.forceStatus(444);
      end.finish(ex, true);
      req.connection().close();
      return;
    }
    if (refusal.retryAfterSeconds() >= 0) {
      req.response().headers().set(RETRY_AFTER, String.valueOf(refusal.retryAfterSeconds()));
    }
    pipeline.deny(ex, refusal.denial(), refusal.by());
  }

  private static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized("retry-after");

  static final Denial EXPECTATION_FAILED =
      Denial.closing(417, ErrorJson.textFor(417), "Expect other than 100-continue");

  /** RFC 9110 §10.1.1: the only expectation defined is 100-continue; any other gets 417. */
  private static boolean hasUnknownExpectation(HttpServerRequest req) {
    String expect = req.getHeader(HttpHeaders.EXPECT);
    return expect != null
        && (!expect.trim().equalsIgnoreCase("100-continue")
            || req.headers().getAll(HttpHeaders.EXPECT).size() > 1);
  }

  private static final Denial URI_TOO_LONG =
      Denial.of(414, ErrorJson.textFor(414), "request target over the limit");

  static final Denial BAD_HOST =
      Denial.of(400, "bad request", "missing, repeated or malformed Host");

  @Override
  public void closingAfterResponse(HttpConnection connection) {
    guard.closing(connection);
  }

  @Override
  public void closeAfterAnswer(HttpServerRequest request) {
    LingeringClose.close(request);
  }

  @Override
  public void maskedUpstreamError(Exchange ex, String route, int status, byte[] body, int keep) {
    security.publish(
        SecurityEvent.upstreamErrorMasked(
            ex.requestId(), ex.clientAddress(), route, status, LoggedBody.of(body, keep)));
  }

  @Override
  public void ended(Exchange ex) {
    current.get().ended(ex);
    guard.requestFinished(ex.httpRequest().connection());
  }

  private void armBodyTimer(Exchange ex, CompiledRoute route) {
    HttpServerRequest req = ex.httpRequest();
    if (Forwarder.hasNoBody(req)) {
      return;
    }
    LoopTimer timer =
        LoopTimer.arm(
            vertx.getOrCreateContext(),
            route.limits.bodyTimeout().toMillis(),
            t -> {
              if (!req.isEnded() && !ex.finishedOrResponded()) {
                Forwarding f = ex.forwarding();
                if (f != null) {
                  f.abort(Denial.BODY_TIMEOUT);
                } else {
                  pipeline.deny(ex, Denial.BODY_TIMEOUT);
                }
              }
            });
    ex.bodyTimer(timer);
    // Until a stage or the proxy reads the body (their handlers replace this one), a body the
    // decoder could not read is answered at once.
    req.exceptionHandler(
        t -> {
          if (t instanceof BodyFramingGuard.MalformedBody && ex.forwarding() == null) {
            pipeline.deny(ex, Denial.BAD_FRAMING);
          }
        });
  }

  /** Answers a request the HTTP decoder could not parse (bad line, oversized head, bad framing). */
  void invalid(HttpServerRequest req) {
    CompiledGateway gw = current.get();
    Throwable cause = req.decoderResult().cause();
    int status;
    if (cause instanceof VersionGuard.UnsupportedVersion version) {
      status = version.status();
    } else if (cause instanceof TooLongHttpLineException) {
      status = 414;
    } else if (cause instanceof TooLongHttpHeaderException
        || cause instanceof TooLongFrameException) {
      status = 431;
    } else {
      status = 400;
    }
    String reason =
        cause instanceof VersionGuard.UnsupportedVersion unsupported
            ? String.valueOf(unsupported.getMessage())
            : "malformed request" + (cause == null ? "" : ": " + cause.getClass().getSimpleName());
    String peer = peerOf(req);
    VertxRequest view =
        new VertxRequest(
            req,
            "",
            -1,
            "-",
            gw.clients().resolve(peer, java.util.List.of(), java.util.List.of()),
            false);
    Exchange ex =
        new Exchange(
            view, view, pipeline, RequestIds.next(), NO_PARAMS, gw.fallback(), System.nanoTime());
    ex.enterEdge(gw.fallback().edgeCount);
    guard.requestStarted(req.connection());
    pipeline.deny(ex, Denial.closing(status, ErrorJson.textFor(status), reason));
  }

  private void internalError(HttpServerRequest req, String requestId) {
    try {
      HttpServerResponse res = req.response();
      if (!res.headWritten()) {
        Buffer body = ErrorJson.body(500, "internal error", requestId);
        res.setStatusCode(500)
            .putHeader(HttpHeaders.CONTENT_TYPE, ErrorJson.CONTENT_TYPE)
            .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
            .putHeader(REQUEST_ID, requestId);
        if (req.version() != HttpVersion.HTTP_2) {
          res.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE); // closed just below
        }
        res.end(body);
      }
      req.connection().close();
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "could not answer after a failure", e);
    }
  }

  /** TRACE, CONNECT and invented methods never reach an upstream (cross-site tracing, tunnels). */
  static boolean isStandardMethod(String m) {
    return switch (m) {
      case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" -> true;
      default -> false;
    };
  }

  static final Denial UNKNOWN_METHOD =
      Denial.of(501, "not implemented", "method not supported by the gateway");

  private static String peerOf(HttpServerRequest req) {
    SocketAddress a = req.remoteAddress();
    String h = a == null ? null : a.hostAddress();
    return h == null ? "unknown" : h;
  }

  private static String requestId(HttpServerRequest req, boolean trusted) {
    if (trusted) {
      String given = req.getHeader(REQUEST_ID);
      if (given != null && RequestIds.isWellFormed(given)) {
        return given;
      }
    }
    return RequestIds.next();
  }

  private static String hostOf(HttpServerRequest req) {
    RequestHost a = RequestAuthority.of(req);
    return a == null ? "" : a.host();
  }

  /** Refuses framings Netty lets through that an upstream could read differently. */
  private static boolean hasBadFraming(HttpServerRequest req) {
    if (req.version() == HttpVersion.HTTP_2) {
      return false;
    }
    String te = req.getHeader(HttpHeaders.TRANSFER_ENCODING);
    if (te == null) {
      return false;
    }
    return req.version() != HttpVersion.HTTP_1_1
        || !te.trim().equalsIgnoreCase("chunked")
        || req.headers().getAll(HttpHeaders.TRANSFER_ENCODING).size() != 1
        || req.headers().contains(HttpHeaders.CONTENT_LENGTH);
  }

  /** Counts header lines (repeated names count each time), stopping just past the limit. */
  private static int headerLines(HttpServerRequest req, int limit) {
    int n = 0;
    for (Map.Entry<String, String> ignored : req.headers()) {
      if (++n > limit) {
        break;
      }
    }
    return n;
  }

  private static long declaredLength(HttpServerRequest req) {
    String cl = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (cl == null) {
      return -1;
    }
    try {
      return Long.parseLong(cl.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
