package dev.bulwark.pipeline;

import static java.util.Objects.requireNonNull;

import dev.bulwark.exchange.DecisionTrace;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.ErrorJson;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.ExchangeDriver;
import dev.bulwark.exchange.HeaderMap;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import dev.bulwark.proxy.UpstreamTarget;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Drives an exchange through its route's policies in stage order: each policy proceeds, denies or
 * answers; after the last one the request is forwarded; every answer walks back through the
 * policies entered, in reverse. It decides who made the decision (the policy entered last, or the
 * gateway) and reports each step to the exchange's {@link DecisionTrace} when one is attached; what
 * forwarding and sending mean is the {@link ExchangeCarrier}'s. Shared by the exchanges of one
 * event loop (or of one offline run); it keeps no per-request state.
 */
public final class StagePipeline implements ExchangeDriver {
  /** Who decided when no policy did: the gateway itself. */
  public static final String GATEWAY = "gateway";

  private static final Logger LOG = Logger.getLogger(StagePipeline.class.getName());

  private final ExchangeCarrier carrier;

  public StagePipeline(ExchangeCarrier carrier) {
    this.carrier = requireNonNull(carrier, "carrier");
  }

  @Override
  public void proceed(Exchange ex) {
    if (ex.finishedOrResponded()) {
      return; // answered while a stage was away (a body timeout, a malformed body): run no more
    }
    PipelineRoute route = (PipelineRoute) ex.route();
    int i = ex.entered();
    DecisionTrace trace = ex.trace();
    if (trace != null && i > route.edgeCount()) {
      Policy done = route.policy(i - 1);
      trace.proceeded(done.stage().name(), done.name());
    }
    if (i < route.policyCount()) {
      ex.enterNext();
      Policy next = route.policy(i);
      if (trace != null) {
        trace.entered(next.stage().name(), next.name());
      }
      try {
        next.onRequest(ex);
      } catch (RuntimeException e) {
        failed(ex, next, e);
      }
      return;
    }
    UpstreamTarget upstream = route.upstream();
    if (upstream == null) {
      deny(ex, Denial.NOT_FOUND);
      return;
    }
    if (trace != null) {
      trace.forwarded(
          route.name(), (upstream.tls() ? "https://" : "http://") + upstream.authority());
    }
    carrier.forward(ex, route, upstream);
  }

  /**
   * Ends the exchange with a denial made by the policy entered last, or by the gateway when no
   * policy past the edge stages was entered or forwarding has started (the checks before and after
   * the stages, upstream failures).
   */
  @Override
  public void deny(Exchange ex, Denial denial) {
    if (ex.responded()) {
      return;
    }
    PipelineRoute route = (PipelineRoute) ex.route();
    int at = ex.entered() - 1;
    // Once forwarding started, every stage has let the request through: an upstream failure
    // (502, 504) or a timeout is the gateway's, not the last policy's.
    if (ex.forwarding() == null && at >= route.edgeCount() && at < route.policyCount()) {
      Policy p = route.policy(at);
      refuse(ex, route, denial, p.name(), p.stage());
    } else {
      refuse(ex, route, denial, GATEWAY, null);
    }
  }

  /**
   * Ends the exchange with a denial that a check outside the stages made, logged and counted under
   * {@code decidedBy} (a banned client: {@code ban}).
   */
  public void deny(Exchange ex, Denial denial, String decidedBy) {
    if (ex.responded()) {
      return;
    }
    refuse(ex, (PipelineRoute) ex.route(), denial, decidedBy, null);
  }

  private void refuse(
      Exchange ex, PipelineRoute route, Denial denial, String by, @Nullable Stage stage) {
    ex.decide(by, "deny", denial.reason());
    DecisionTrace trace = ex.trace();
    if (trace != null) {
      trace.denied(stage == null ? null : stage.name(), by, denial.status(), denial.reason());
    }
    HeaderMap h = ex.responseHeaders();
    Buffer body = ErrorJson.body(denial.status(), denial.error(), ex.requestId(), denial.details());
    h.set(HttpHeaders.CONTENT_TYPE, ErrorJson.CONTENT_TYPE);
    h.set(HttpHeaders.CONTENT_LENGTH, String.valueOf(body.length()));
    ResponseHead head = ResponseHead.generated(denial.status(), h, body);
    carrier.refusing(ex, route, denial, head);
    walkBack(ex, head);
    carrier.send(ex, head);
  }

  @Override
  public void answer(Exchange ex, int status) {
    if (ex.responded()) {
      return;
    }
    DecisionTrace trace = ex.trace();
    if (trace != null) {
      PipelineRoute route = (PipelineRoute) ex.route();
      int at = ex.entered() - 1;
      if (at >= route.edgeCount() && at < route.policyCount()) {
        Policy p = route.policy(at);
        trace.answered(p.stage().name(), p.name(), status);
      } else {
        trace.answered(null, GATEWAY, status);
      }
    }
    HeaderMap h = ex.responseHeaders();
    if (status != 204) {
      h.set(HttpHeaders.CONTENT_LENGTH, "0"); // a 204 must not have one
    }
    ResponseHead head = ResponseHead.generated(status, h, Buffer.buffer());
    carrier.answering(ex, head);
    walkBack(ex, head);
    carrier.send(ex, head);
  }

  @Override
  public void resume(Exchange ex, Runnable continuation) {
    carrier.resume(
        ex,
        () -> {
          try {
            continuation.run();
          } catch (RuntimeException e) {
            PipelineRoute route = (PipelineRoute) ex.route();
            int at = Math.min(ex.entered(), route.policyCount()) - 1;
            failed(ex, at >= 0 ? route.policy(at) : null, e);
          }
        });
  }

  /**
   * Answers 500 for a policy that threw (a bug, never an expected refusal) instead of leaving the
   * request hanging or the connection to die with the event loop's handler, and logs it once with
   * the request id so it can be found.
   */
  private void failed(Exchange ex, @Nullable Policy policy, RuntimeException e) {
    String name = policy == null ? GATEWAY : policy.name();
    LOG.log(
        Level.SEVERE,
        "policy " + name + " failed on request " + ex.requestId() + " (answered 500)",
        e);
    if (!ex.responded()) {
      deny(ex, Denial.POLICY_FAILED);
    }
  }

  @Override
  public void readingBody(Exchange ex) {
    carrier.readingBody(ex, (PipelineRoute) ex.route());
  }

  /** Lets every policy the request entered edit the response head, last entered first. */
  static void walkBack(Exchange ex, ResponseHead head) {
    PipelineRoute route = (PipelineRoute) ex.route();
    for (int i = Math.min(ex.entered(), route.policyCount()) - 1; i >= 0; i--) {
      route.policy(i).onResponse(ex, head);
    }
  }
}
