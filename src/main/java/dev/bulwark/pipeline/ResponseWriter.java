package dev.bulwark.pipeline;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.exchange.ErrorJson;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.exchange.ResponseRecorder;
import dev.bulwark.proxy.ProxyCall;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import org.jspecify.annotations.Nullable;

/**
 * Writes a response head that every entered stage has seen to the Vert.x response: its status,
 * {@code X-Request-Id} and {@code Date}, then the body the gateway made (an error's JSON, a masked
 * or checked upstream body) or the upstream's, streamed; hands the exchange to the {@link
 * ExchangeEnd} once the body is out.
 */
final class ResponseWriter {
  private static final CharSequence REQUEST_ID = HttpHeaders.createOptimized("x-request-id");

  private final ExchangeEnd end;
  private final SecurityEvents security;
  private final ServerHooks hooks;

  ResponseWriter(ExchangeEnd end, SecurityEvents security, ServerHooks hooks) {
    this.end = requireNonNull(end, "end");
    this.security = requireNonNull(security, "security");
    this.hooks = requireNonNull(hooks, "hooks");
  }

  /**
   * Writes {@code head}: its replacement body, else the upstream body of {@code call} streamed,
   * else no body. Does nothing when a response was already started.
   */
  void write(Exchange ex, ResponseHead head, @Nullable ProxyCall call) {
    if (!ex.startResponse(head.status())) {
      return;
    }
    ResponseRecorder recorder = ex.responseRecorder();
    if (recorder != null) {
      recorder.head(head.status(), head.headers(), head.fromUpstream());
    }
    HttpServerRequest req = ex.httpRequest();
    boolean http1 = req.version() != HttpVersion.HTTP_2;
    if (head.closeConnection() && http1) {
      hooks.closingAfterResponse(req.connection());
    }
    // Decided before the head goes out, so an HTTP/1 client is told: an answer sent while the
    // request body is still arriving ends the connection too (RFC 9112 section 9.6).
    boolean close = head.closeConnection() || (call != null && !call.requestEnded());
    HttpServerResponse res = req.response();
    res.setStatusCode(head.status());
    if (head.status() == 495 || head.status() == 496) {
      // nginx's reason phrases for its client-certificate codes, which no RFC registers
      res.setStatusMessage(
          head.status() == 495 ? "SSL Certificate Error" : "SSL Certificate Required");
    }
    if (close && http1) {
      res.headers().set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    res.headers().set(REQUEST_ID, ex.requestId());
    if (!res.headers().contains(HttpHeaders.DATE)) {
      res.headers().set(HttpHeaders.DATE, HttpDate.now());
    }
    Buffer body = head.replacementBody();
    if (body != null) {
      ex.addBytesOut(body.length());
      if (recorder != null) {
        recorder.body(body);
        recorder.complete();
      }
      if (call != null) {
        int keep = ex.captureUpstreamBody();
        int status = call.upstreamStatus();
        String route = ((PipelineRoute) ex.route()).name();
        call.drainBody(keep, bytes -> hooks.maskedUpstreamError(ex, route, status, bytes, keep));
      }
      if (call == null && ex.forwarding() instanceof ProxyCall checked) {
        checked.sendWhole(res, body, v -> end.finish(ex, close)); // a body read and checked whole
      } else {
        res.end(body).onComplete(v -> end.finish(ex, close));
      }
      return;
    }
    if (call == null) {
      if (recorder != null) {
        recorder.complete();
      }
      res.end().onComplete(v -> end.finish(ex, close));
      return;
    }
    if (!res.headers().contains(HttpHeaders.CONTENT_LENGTH)
        && req.version() != HttpVersion.HTTP_1_0) {
      res.setChunked(true);
    }
    call.streamBody(
        res,
        v -> {
          if (recorder != null) {
            recorder.complete(); // called only once the upstream ended its body
          }
          end.finish(ex, close || !call.requestEnded());
        });
  }

  /** Reads the upstream body whole (bounded), filters it, then writes the result or a 502. */
  void filterBody(Exchange ex, ResponseHead head, ResponseHead.BodyFilter filter, ProxyCall call) {
    int upstreamStatus = call.upstreamStatus();
    call.bufferBody(
        head.bodyFilterLimit(),
        body -> {
          ResponseHead.Filtered out;
          if (body == null) {
            out = ResponseHead.Filtered.block("response body over the limit of its check");
            ex.decide(StagePipeline.GATEWAY, "blocked", out.reason());
          } else {
            out = filter.apply(body);
          }
          Buffer kept = out.body();
          if (kept == null) {
            security.publish(
                SecurityEvent.refused(
                    SecurityEventKind.RESPONSE_BLOCKED,
                    ex.requestId(),
                    ex.clientAddress(),
                    ((PipelineRoute) ex.route()).name(),
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
}
