package dev.bulwark.pipeline;

import static java.util.Objects.requireNonNull;

import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.Forwarding;
import dev.bulwark.exchange.LoopTimer;
import dev.bulwark.exchange.ResponseRecorder;
import dev.bulwark.observe.AccessLog;
import dev.bulwark.proxy.ProxyCall;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.function.Supplier;

/**
 * Accounts for an exchange once it is over, exactly once: its route's meters (status, latency, the
 * decision when it was not {@code allow}, an upstream error), one access-log line, its decision
 * trace kept for the admin API when one is attached ({@link RecentDecisions}), the server's {@link
 * ServerHooks#ended} (ban strikes, connection bookkeeping), then the connection closed or the
 * HTTP/2 stream reset when the answer requires it.
 */
public final class ExchangeEnd {
  private final Supplier<AccessLog> accessLog;
  private final ServerHooks hooks;

  /**
   * An end that logs to the access log current when the exchange ends (a reload may have replaced
   * the one it started with) and then calls {@code hooks}.
   */
  public ExchangeEnd(Supplier<AccessLog> accessLog, ServerHooks hooks) {
    this.accessLog = requireNonNull(accessLog, "accessLog");
    this.hooks = requireNonNull(hooks, "hooks");
  }

  /**
   * Ends the exchange after its response was written (or given up): counts and logs it, then closes
   * an HTTP/1 connection or resets an HTTP/2 stream when {@code close} is set.
   */
  public void finish(Exchange ex, boolean close) {
    if (!ex.finish()) {
      return;
    }
    long end = System.nanoTime();
    LoopTimer bodyTimer = ex.bodyTimer();
    if (bodyTimer != null) {
      bodyTimer.cancel();
    }
    Runnable stopUploadWatch = ex.stopUploadWatch();
    if (stopUploadWatch != null) {
      stopUploadWatch.run();
    }
    PipelineRoute route = (PipelineRoute) ex.route();
    route.meters().record(ex.status(), end - ex.startNanos());
    if (!"allow".equals(ex.decision())) {
      route.meters().decision(ex.decidedBy(), ex.decision());
    }
    Forwarding f = ex.forwarding();
    if (f instanceof ProxyCall call && call.failureKind() != null) {
      route.meters().upstreamError(String.valueOf(call.failureKind()));
    }
    accessLog.get().log(ex, route.name(), end);
    RecentDecisions.ended(ex);
    hooks.ended(ex);
    ResponseRecorder recorder = ex.responseRecorder();
    if (recorder != null) {
      recorder.ended();
    }
    HttpServerRequest req = ex.httpRequest();
    if (close && req.version() != HttpVersion.HTTP_2) {
      hooks.closeAfterAnswer(req);
    } else if (close && !req.isEnded()) {
      // Answered before the request body was read: RST_STREAM(NO_ERROR) after the complete
      // response tells the client to stop sending it (RFC 9113 section 8.1).
      req.response().reset(0);
    }
  }

  /**
   * Ends an exchange whose client went away before its response ended: the upstream leg is told,
   * and the exchange is logged with status 499 (decided {@code client-gone} when no response had
   * started).
   */
  public void clientClosed(Exchange ex) {
    if (ex.httpRequest().response().ended()) {
      return; // a normal end: the end callback accounts for the exchange
    }
    Forwarding f = ex.forwarding();
    if (f != null) {
      f.clientGone();
    }
    if (!ex.responded()) {
      ex.decide(StagePipeline.GATEWAY, "client-gone", "client closed the connection");
    }
    ex.forceStatus(499);
    finish(ex, false);
  }
}
