package dev.bulwark.pipeline;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.Forwarding;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.exchange.VertxRequest;
import dev.bulwark.observe.AccessLog;
import dev.bulwark.proxy.Forwarder;
import dev.bulwark.proxy.ProxyCall;
import dev.bulwark.proxy.UploadRate;
import dev.bulwark.proxy.UpstreamClients;
import dev.bulwark.proxy.UpstreamListener;
import dev.bulwark.proxy.UpstreamTarget;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Supplier;

/**
 * Carries exchanges on the live Vert.x server, one per event loop: forwards a request every stage
 * let through on the loop's upstream clients, runs the response stages over the upstream's answer,
 * decides whether a connection survives a gateway answer (never with a request body left unread),
 * and writes every response through the {@link ResponseWriter}.
 */
public final class LiveCarrier implements ExchangeCarrier, UpstreamListener {
  private final Forwarder forwarder;
  private final SecurityEvents security;
  private final ExchangeEnd end;
  private final ResponseWriter writer;

  /**
   * A carrier on {@code vertx}'s current event loop forwarding with {@code clients}; exchanges end
   * in {@code accessLog} (the current one) and {@code hooks}.
   */
  public LiveCarrier(
      Vertx vertx,
      UpstreamClients clients,
      SecurityEvents security,
      Supplier<AccessLog> accessLog,
      ServerHooks hooks) {
    this.forwarder = new Forwarder(vertx, clients, this);
    this.security = security;
    this.end = new ExchangeEnd(accessLog, hooks);
    this.writer = new ResponseWriter(end, security, hooks);
  }

  /** Returns where this carrier's exchanges end (for the server's own endings: client gone). */
  public ExchangeEnd end() {
    return end;
  }

  @Override
  public void forward(Exchange ex, PipelineRoute route, UpstreamTarget upstream) {
    forwarder.forward(ex, upstream, route.limits(), route.identity());
  }

  @Override
  public void refusing(Exchange ex, PipelineRoute route, Denial denial, ResponseHead head) {
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
              route.name(),
              denial.status(),
              denial.reason()));
    }
  }

  @Override
  public void answering(Exchange ex, ResponseHead head) {
    HttpServerRequest req = ex.httpRequest();
    // As for a denial: an unread body cannot be skipped safely on a kept-alive connection.
    // A body read whole by a stage (a replayed idempotent request's) leaves nothing unread.
    head.closeConnection(ex.forwarding() == null && !Forwarder.hasNoBody(req) && !req.isEnded());
    // As for a denial, only a request still arriving is resumed: an ended HTTP/2 request throws
    // on resume() (Vert.x: "Request has already been read"), and the head would never go out.
    if (ex.forwarding() == null && !req.isEnded()) {
      req.resume();
    }
  }

  @Override
  public void send(Exchange ex, ResponseHead head) {
    writer.write(ex, head, null);
  }

  @Override
  public void readingBody(Exchange ex, PipelineRoute route) {
    Context here = Vertx.currentContext(); // a stage reads the body on the exchange's event loop
    if (here != null) {
      UploadRate.watchStageRead(here, ex, route.limits());
    }
  }

  @Override
  public void resume(Exchange ex, Runnable continuation) {
    ((VertxRequest) ex.request()).resume(continuation);
  }

  @Override
  public void onUpstreamResponse(Exchange ex, ProxyCall call, int status, MultiMap headers) {
    ProxyCall.copyResponseHeaders(headers, ex.httpRequest().response().headers());
    ResponseHead head = ResponseHead.fromUpstream(status, ex.responseHeaders());
    StagePipeline.walkBack(ex, head);
    ResponseHead.BodyFilter filter = head.bodyFilter();
    if (filter != null && head.replacementBody() == null) {
      writer.filterBody(ex, head, filter, call);
      return;
    }
    writer.write(ex, head, call);
  }
}
