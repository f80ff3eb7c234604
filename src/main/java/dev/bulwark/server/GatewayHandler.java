package dev.bulwark.server;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.ErrorJson;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.ExchangeDriver;
import dev.bulwark.exchange.Forwarding;
import dev.bulwark.exchange.HeaderMap;
import dev.bulwark.exchange.LoopTimer;
import dev.bulwark.exchange.RequestIds;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.exchange.VertxRequest;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import dev.bulwark.policy.cors.CorsPolicy;
import dev.bulwark.policy.errors.LoggedBody;
import dev.bulwark.proxy.Forwarder;
import dev.bulwark.proxy.ProxyCall;
import dev.bulwark.proxy.UpstreamClients;
import dev.bulwark.proxy.UpstreamListener;
import dev.bulwark.proxy.UpstreamTarget;
import dev.bulwark.routing.PathNormalizer;
import dev.bulwark.routing.RequestHost;
import dev.bulwark.routing.RouteTable;
import dev.bulwark.store.Ban;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The one request handler of an HTTPS listener on one event loop: resolves who is asking and which
 * route applies, refuses what the limits refuse, walks the route's stages, forwards upstream, and
 * writes every answer through the stages it entered. Reads the current compiled configuration per
 * request, so a reload never touches an exchange in flight.
 */
final class GatewayHandler implements Handler<HttpServerRequest>, ExchangeDriver, UpstreamListener {
  private static final Logger LOG = Logger.getLogger(GatewayHandler.class.getName());
  private static final String[] NO_PARAMS = new String[0];
  private static final CharSequence REQUEST_ID = HttpHeaders.createOptimized("x-request-id");

  private final Vertx vertx;
  private final Supplier<CompiledGateway> current;
  private final ConnectionGuard guard;
  private final Forwarder forwarder;
  private final SecurityEvents security;

  GatewayHandler(
      Vertx vertx,
      Supplier<CompiledGateway> current,
      ConnectionGuard guard,
      UpstreamClients clients,
      SecurityEvents security) {
    this.vertx = vertx;
    this.current = current;
    this.guard = guard;
    this.forwarder = new Forwarder(vertx, clients, this);
    this.security = security;
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
            : gw.clients().resolve(peer, java.util.List.of(), java.util.List.of());
    String id = requestId(req, trusted);
    Ban ban = gw.bans().banned(client);
    if (ban != null) {
      refuseBanned(req, gw, ban, client, id, start);
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
      RouteTable.Match<CompiledRoute> match = preflightMatch(gw, view, host, path);
      if (match == null) {
        match = gw.routes().match(host, path, req.method().name());
      }
      CompiledRoute matched = match.route();
      RouteTable.Refusal refusal = match.refusal();
      if (matched != null) {
        route = matched;
        params = match.params();
      } else if (refusal != null) {
        early = refusalOf(refusal);
      } else if (!match.allowed().isEmpty()) {
        req.response().putHeader(HttpHeaders.ALLOW, String.join(", ", match.allowed()));
        early = METHOD_NOT_ALLOWED;
      } else {
        early = Denial.NOT_FOUND;
      }
    }
    if (early == null && declaredLength(req) > route.limits.maxBody()) {
      early = Denial.BODY_TOO_LARGE;
    }
    Exchange ex = new Exchange(view, view, this, id, params, route, start);
    ex.enterEdge(route.edgeCount);
    req.response().closeHandler(v -> clientClosed(ex));
    if (early != null) {
      deny(ex, early);
      return;
    }
    armBodyTimer(ex, route);
    proceed(ex);
  }

  /**
   * A banned client: before any other work, 403 "client temporarily blocked" with {@code
   * Retry-After} (the seconds left on the ban), or the connection closed ({@code drop}). 403 rather
   * than 429: a ban refuses the client, not this request's rate, and HTTP clients retry a 429 on
   * their own.
   */
  private void refuseBanned(
      HttpServerRequest req, CompiledGateway gw, Ban ban, String client, String id, long start) {
    VertxRequest view = new VertxRequest(req, hostOf(req), -1, "-", client, false);
    Exchange ex = new Exchange(view, view, this, id, NO_PARAMS, gw.fallback(), start);
    ex.enterEdge(gw.fallback().edgeCount);
    req.response().closeHandler(v -> clientClosed(ex));
    if (gw.bans().drop()) {
      ex.decide("ban", "drop", "client banned");
      ex.forceStatus(444);
      finish(ex, true);
      req.connection().close();
      return;
    }
    req.response()
        .headers()
        .set(RETRY_AFTER, String.valueOf(ban.secondsLeft(System.currentTimeMillis())));
    deny(ex, BANNED);
  }

  private static final Denial BANNED =
      Denial.of(403, "client temporarily blocked", "client banned");
  private static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized("retry-after");

  private static final Denial EXPECTATION_FAILED =
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

  private static final Denial BAD_HOST =
      Denial.of(400, "bad request", "missing, repeated or malformed Host");

  private static final Denial CASE_REFUSED =
      Denial.of(400, "bad request", "path differs from a route only in letter case");

  private static final Denial PATH_PARAMETERS_REFUSED =
      Denial.of(400, "bad request", "path parameters (;) not accepted on this route");

  private static Denial refusalOf(RouteTable.Refusal refusal) {
    return switch (refusal) {
      case CASE -> CASE_REFUSED;
      case PATH_PARAMETERS -> PATH_PARAMETERS_REFUSED;
      case EMPTY_SEGMENT -> Denial.BAD_PATH;
    };
  }

  private static final Denial METHOD_NOT_ALLOWED =
      Denial.of(405, "method not allowed", "method not allowed on route");

  /**
   * A CORS preflight (OPTIONS + Origin + Access-Control-Request-Method) asks about the method it
   * names, and routes seldom list OPTIONS: match it by that method, but only to a route with a cors
   * policy, which answers it at the edge and never forwards it. Otherwise (no such route, or a
   * route without cors) returns null and the request is matched by its own method as before, so an
   * OPTIONS never reaches an upstream whose route does not allow OPTIONS.
   */
  private static RouteTable.@Nullable Match<CompiledRoute> preflightMatch(
      CompiledGateway gw, VertxRequest req, String host, String path) {
    String asked = CorsPolicy.preflightMethod(req);
    if (asked == null) {
      return null;
    }
    RouteTable.Match<CompiledRoute> m = gw.routes().match(host, path, asked);
    CompiledRoute r = m.route();
    if (r == null) {
      return null;
    }
    for (Policy p : r.policies) {
      if (p.stage() == Stage.CORS) {
        return m;
      }
    }
    return null;
  }

  @Override
  public void proceed(Exchange ex) {
    CompiledRoute route = (CompiledRoute) ex.route();
    int i = ex.entered();
    if (i < route.policies.length) {
      ex.enterNext();
      route.policies[i].onRequest(ex);
      return;
    }
    UpstreamTarget upstream = route.upstream;
    if (upstream == null) {
      deny(ex, Denial.NOT_FOUND);
      return;
    }
    forwarder.forward(ex, upstream, route.limits, route.identity);
  }

  @Override
  public void deny(Exchange ex, Denial denial) {
    if (ex.responded()) {
      return;
    }
    CompiledRoute route = (CompiledRoute) ex.route();
    int at = ex.entered() - 1;
    String by =
        denial == BANNED
            ? "ban"
            : at >= route.edgeCount && at < route.policies.length
                ? route.policies[at].name()
                : "gateway";
    ex.decide(by, "deny", denial.reason());
    HeaderMap h = ex.responseHeaders();
    Buffer body = ErrorJson.body(denial.status(), denial.error(), ex.requestId(), denial.details());
    h.set(HttpHeaders.CONTENT_TYPE, ErrorJson.CONTENT_TYPE);
    h.set(HttpHeaders.CONTENT_LENGTH, String.valueOf(body.length()));
    ResponseHead head = ResponseHead.generated(denial.status(), h, body);
    HttpServerRequest req = ex.httpRequest();
    // A body that was never read cannot be skipped safely on a kept-alive HTTP/1 connection:
    // close after answering (on HTTP/2, reset the stream). Without a body, resuming lets the
    // request's end through. A body an upstream leg was still streaming when it failed counts.
    Forwarding leg = ex.forwarding();
    boolean unreadBody =
        (leg == null || !leg.requestEnded()) && !Forwarder.hasNoBody(req) && !req.isEnded();
    head.closeConnection(denial.closeConnection() || unreadBody);
    if (ex.forwarding() == null && !req.isEnded()) {
      req.resume();
    }
    if (denial.status() >= 500 || denial.closeConnection()) {
      boolean upstreamFailure = denial.status() == 502 || denial.status() == 504;
      security.publish(
          SecurityEvent.refused(
              upstreamFailure
                  ? SecurityEventKind.UPSTREAM_FAILURE
                  : SecurityEventKind.REQUEST_REFUSED,
              ex.requestId(),
              ex.clientAddress(),
              route.name,
              denial.status(),
              denial.reason()));
    }
    respond(ex, head, null);
  }

  @Override
  public void answer(Exchange ex, int status) {
    if (ex.responded()) {
      return;
    }
    HttpServerRequest req = ex.httpRequest();
    HeaderMap h = ex.responseHeaders();
    if (status != 204) {
      h.set(HttpHeaders.CONTENT_LENGTH, "0"); // a 204 must not have one
    }
    ResponseHead head = ResponseHead.generated(status, h, Buffer.buffer());
    // As for a denial: an unread body cannot be skipped safely on a kept-alive connection.
    head.closeConnection(ex.forwarding() == null && !Forwarder.hasNoBody(req));
    if (ex.forwarding() == null) {
      req.resume();
    }
    respond(ex, head, null);
  }

  @Override
  public void onUpstreamResponse(Exchange ex, ProxyCall call, int status, MultiMap headers) {
    HttpServerResponse res = ex.httpRequest().response();
    ProxyCall.copyResponseHeaders(headers, res.headers());
    respond(ex, ResponseHead.fromUpstream(status, ex.responseHeaders()), call);
  }

  @Override
  public void resume(Exchange ex, Runnable continuation) {
    ((VertxRequest) ex.request()).resume(continuation);
  }

  private void respond(Exchange ex, ResponseHead head, @Nullable ProxyCall call) {
    CompiledRoute route = (CompiledRoute) ex.route();
    Policy[] policies = route.policies;
    for (int i = Math.min(ex.entered(), policies.length) - 1; i >= 0; i--) {
      policies[i].onResponse(ex, head);
    }
    ResponseHead.BodyFilter filter = head.bodyFilter();
    if (filter != null && call != null && head.replacementBody() == null) {
      filterBody(ex, head, filter, call);
      return;
    }
    write(ex, head, call);
  }

  /** Reads the upstream body whole (bounded), filters it, then writes the result or a 502. */
  private void filterBody(
      Exchange ex, ResponseHead head, ResponseHead.BodyFilter filter, ProxyCall call) {
    int upstreamStatus = call.upstreamStatus();
    call.bufferBody(
        head.bodyFilterLimit(),
        body -> {
          ResponseHead.Filtered out;
          if (body == null) {
            out = ResponseHead.Filtered.block("response body over the limit of its check");
            ex.decide("gateway", "blocked", out.reason());
          } else {
            out = filter.apply(body);
          }
          Buffer kept = out.body();
          if (kept == null) {
            CompiledRoute route = (CompiledRoute) ex.route();
            security.publish(
                SecurityEvent.refused(
                    SecurityEventKind.RESPONSE_BLOCKED,
                    ex.requestId(),
                    ex.clientAddress(),
                    route.name,
                    upstreamStatus,
                    out.reason()));
            head.replaceWithJson(502, ErrorJson.body(502, "bad gateway", ex.requestId()));
          } else {
            head.replaceBody(kept);
          }
          head.closeConnection(head.closeConnection() || !call.requestEnded());
          write(ex, head, null);
        });
  }

  private void write(Exchange ex, ResponseHead head, @Nullable ProxyCall call) {
    CompiledRoute route = (CompiledRoute) ex.route();
    if (!ex.startResponse(head.status())) {
      return;
    }
    HttpServerRequest req = ex.httpRequest();
    if (head.closeConnection() && req.version() != HttpVersion.HTTP_2) {
      guard.closing(req.connection());
    }
    HttpServerResponse res = req.response();
    res.setStatusCode(head.status());
    res.headers().set(REQUEST_ID, ex.requestId());
    if (!res.headers().contains(HttpHeaders.DATE)) {
      res.headers().set(HttpHeaders.DATE, HttpDate.now());
    }
    Buffer body = head.replacementBody();
    if (body != null) {
      ex.addBytesOut(body.length());
      if (call != null) {
        int keep = ex.captureUpstreamBody();
        int status = call.upstreamStatus();
        call.drainBody(keep, bytes -> logMasked(ex, route, status, bytes, keep));
      }
      boolean close = head.closeConnection() || (call != null && !call.requestEnded());
      if (call == null && ex.forwarding() instanceof ProxyCall checked) {
        checked.sendWhole(res, body, v -> finish(ex, close)); // a body read and checked whole
      } else {
        res.end(body).onComplete(v -> finish(ex, close));
      }
      return;
    }
    if (call == null) {
      res.end().onComplete(v -> finish(ex, head.closeConnection()));
      return;
    }
    if (!res.headers().contains(HttpHeaders.CONTENT_LENGTH)
        && req.version() != HttpVersion.HTTP_1_0) {
      res.setChunked(true);
    }
    call.streamBody(res, v -> finish(ex, !call.requestEnded()));
  }

  private void logMasked(Exchange ex, CompiledRoute route, int status, byte[] body, int keep) {
    security.publish(
        SecurityEvent.upstreamErrorMasked(
            ex.requestId(), ex.clientAddress(), route.name, status, LoggedBody.of(body, keep)));
  }

  private void finish(Exchange ex, boolean close) {
    if (!ex.finish()) {
      return;
    }
    long end = System.nanoTime();
    LoopTimer bodyTimer = ex.bodyTimer();
    if (bodyTimer != null) {
      bodyTimer.cancel();
    }
    CompiledRoute route = (CompiledRoute) ex.route();
    route.meters.record(ex.status(), end - ex.startNanos());
    if (!"allow".equals(ex.decision())) {
      route.meters.decision(ex.decidedBy(), ex.decision());
    }
    Forwarding f = ex.forwarding();
    if (f instanceof ProxyCall call && call.failureKind() != null) {
      route.meters.upstreamError(String.valueOf(call.failureKind()));
    }
    CompiledGateway gw = current.get();
    gw.accessLog().log(ex, route.name, end);
    if (!"ban".equals(ex.decidedBy())) {
      gw.bans().observe(ex.clientAddress(), ex.status(), ex.requestId());
    }
    HttpServerRequest req = ex.httpRequest();
    guard.requestFinished(req.connection());
    if (close && req.version() != HttpVersion.HTTP_2) {
      req.connection().close();
    } else if (close && !req.isEnded()) {
      // Answered before the request body was read: RST_STREAM(NO_ERROR) after the complete
      // response tells the client to stop sending it (RFC 9113 section 8.1).
      req.response().reset(0);
    }
  }

  private void clientClosed(Exchange ex) {
    if (ex.httpRequest().response().ended()) {
      return; // a normal end: the end callback accounts for the exchange
    }
    Forwarding f = ex.forwarding();
    if (f != null) {
      f.clientGone();
    }
    if (!ex.responded()) {
      ex.decide("gateway", "client-gone", "client closed the connection");
    }
    ex.forceStatus(499);
    finish(ex, false);
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
                  deny(ex, Denial.BODY_TIMEOUT);
                }
              }
            });
    ex.bodyTimer(timer);
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
            view, view, this, RequestIds.next(), NO_PARAMS, gw.fallback(), System.nanoTime());
    ex.enterEdge(gw.fallback().edgeCount);
    guard.requestStarted(req.connection());
    deny(ex, Denial.closing(status, ErrorJson.textFor(status), reason));
  }

  private void internalError(HttpServerRequest req, String requestId) {
    try {
      HttpServerResponse res = req.response();
      if (!res.headWritten()) {
        Buffer body = ErrorJson.body(500, "internal error", requestId);
        res.setStatusCode(500)
            .putHeader(HttpHeaders.CONTENT_TYPE, ErrorJson.CONTENT_TYPE)
            .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
            .putHeader(REQUEST_ID, requestId)
            .end(body);
      }
      req.connection().close();
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "could not answer after a failure", e);
    }
  }

  /** TRACE, CONNECT and invented methods never reach an upstream (cross-site tracing, tunnels). */
  private static boolean isStandardMethod(String m) {
    return switch (m) {
      case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" -> true;
      default -> false;
    };
  }

  private static final Denial UNKNOWN_METHOD =
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
