package dev.bulwark.pipeline;

import static java.util.Objects.requireNonNull;

import dev.bulwark.exchange.DecisionTrace;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.ErrorJson;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.PlainHeaders;
import dev.bulwark.exchange.RequestIds;
import dev.bulwark.exchange.RequestView;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.exchange.ResponseRecorder;
import dev.bulwark.proxy.UpstreamTarget;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Runs one request through a compiled route's stages with no listener and no upstream, on the
 * calling thread, and reports the {@link Decision}: what the live pipeline would do up to the point
 * of forwarding. The request is what the request gate would hand over (an {@link
 * dev.bulwark.exchange.OfflineRequest}: canonical host, normalised path, resolved client); the
 * checks before routing and the route match are the caller's. As on the live server, the edge
 * stages are entered first, a declared body over the route's limit is refused (413) before any
 * stage, and every answer walks back through the stages entered. A request that every stage lets
 * through gets a stand-in upstream answer ({@code 200}, no headers, empty body, unless {@link
 * #upstreamAnswer} says otherwise), so that the response stages run over it too.
 *
 * <p>Continuations that policies {@link Exchange#resume resume} from other threads (a remote store,
 * a key fetch) are run on the calling thread, like on an event loop, until the request is decided
 * or the {@link #timeout} passes.
 *
 * <pre>{@code
 * Decision d = OfflineRun.of(route, OfflineRequest.builder("GET", "/api/x").build())
 *     .trace(myTrace)
 *     .run();
 * }</pre>
 */
public final class OfflineRun {
  private static final String[] NO_PARAMS = new String[0];

  private final PipelineRoute route;
  private final RequestView request;
  private String[] params = NO_PARAMS;
  private @Nullable String requestId;
  private @Nullable DecisionTrace trace;
  private String matchedBy = "given to the offline run";
  private int upstreamStatus = 200;
  private String[] upstreamHeaders = NO_PARAMS;
  private String upstreamBody = "";
  private Duration timeout = Duration.ofSeconds(10);
  private Consumer<Exchange> prepare = ex -> {};
  private @Nullable Denial refusal;
  private String refusedBy = StagePipeline.GATEWAY;

  private OfflineRun(PipelineRoute route, RequestView request) {
    this.route = requireNonNull(route, "route");
    this.request = requireNonNull(request, "request");
  }

  /** Prepares a run of {@code request} (used by this one run) through {@code route}. */
  public static OfflineRun of(PipelineRoute route, RequestView request) {
    return new OfflineRun(route, request);
  }

  /** Sets the route's path template values, in the order of its pattern (default: none). */
  public OfflineRun params(String... values) {
    this.params = values.clone();
    return this;
  }

  /** Sets the request id (default: a fresh one, as the gate makes). */
  public OfflineRun requestId(String id) {
    this.requestId = requireNonNull(id, "id");
    return this;
  }

  /** Attaches a trace that receives every decision of the run, the route match first. */
  public OfflineRun trace(DecisionTrace trace) {
    this.trace = requireNonNull(trace, "trace");
    return this;
  }

  /** Says why the route matched, for the trace (host, path pattern, method). */
  public OfflineRun matchedBy(String why) {
    this.matchedBy = requireNonNull(why, "why");
    return this;
  }

  /**
   * Sets the stand-in upstream's answer to a forwarded request: its status, body, and headers as
   * name/value pairs.
   */
  public OfflineRun upstreamAnswer(int status, String body, String... namesAndValues) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 100-599)");
    }
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException(
          "namesAndValues: " + namesAndValues.length + " (expected: name/value pairs)");
    }
    this.upstreamStatus = status;
    this.upstreamBody = requireNonNull(body, "body");
    this.upstreamHeaders = namesAndValues.clone();
    return this;
  }

  /**
   * Sets what to do to the exchange once it is built, before any stage runs: what no stage of the
   * run establishes itself (an authenticated caller under its attribute key, say).
   */
  public OfflineRun prepare(Consumer<Exchange> step) {
    this.prepare = requireNonNull(step, "step");
    return this;
  }

  /**
   * Makes the run a refusal before any stage, as the request gate refuses a request that no route
   * takes (404, 405) or that fails a check before routing: {@code by} is named as the decider.
   */
  public OfflineRun refuse(String by, Denial denial) {
    this.refusedBy = requireNonNull(by, "by");
    this.refusal = requireNonNull(denial, "denial");
    return this;
  }

  /** Sets how long to wait for continuations from other threads (default 10 seconds). */
  public OfflineRun timeout(Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: >= 0)");
    }
    this.timeout = timeout;
    return this;
  }

  /** Runs the request through the route's stages and returns what was decided. */
  public Decision run() {
    PlainHeaders responseHeaders = new PlainHeaders();
    Recorder recorder = new Recorder(trace, responseHeaders);
    StagePipeline pipeline = new StagePipeline(recorder);
    String id = requestId;
    Exchange ex =
        new Exchange(
            request,
            responseHeaders,
            pipeline,
            id == null ? RequestIds.next() : id,
            params,
            route,
            System.nanoTime());
    ex.trace(recorder);
    prepare.accept(ex);
    recorder.routed(route.name(), matchedBy);
    ex.enterEdge(route.edgeCount());
    Denial refused = refusal;
    if (refused != null) {
      pipeline.deny(ex, refused, refusedBy);
    } else if (declaredLength(request) > route.limits().maxBody()) {
      pipeline.deny(ex, Denial.BODY_TOO_LARGE);
    } else {
      pipeline.proceed(ex);
    }
    recorder.settle(ex, System.nanoTime() + timeout.toNanos());
    return recorder.decision(ex);
  }

  /** The declared body length as the gate reads it: -1 without one, malformed counts as huge. */
  private static long declaredLength(RequestView request) {
    String cl = request.header("content-length");
    if (cl == null) {
      return -1;
    }
    try {
      return Long.parseLong(cl.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * The carrier of one offline exchange and the trace that records its verdict (passing every step
   * on to the caller's trace): runs continuations on the calling thread, answers a forwarded
   * request with the stand-in upstream, keeps the response instead of writing it.
   */
  private final class Recorder implements ExchangeCarrier, DecisionTrace {
    private final @Nullable DecisionTrace next;
    private final PlainHeaders responseHeaders;
    private final Thread owner = Thread.currentThread();
    private final BlockingQueue<Runnable> resumed = new LinkedBlockingQueue<>();
    private Decision.Outcome outcome = Decision.Outcome.PENDING;
    private @Nullable String stage;
    private String by = StagePipeline.GATEWAY;
    private String reason = "";
    private int status;
    private Map<String, List<String>> headers = Map.of();
    private String body = "";

    Recorder(@Nullable DecisionTrace next, PlainHeaders responseHeaders) {
      this.next = next;
      this.responseHeaders = responseHeaders;
    }

    /** Runs continuations that came back from other threads until the exchange is answered. */
    void settle(Exchange ex, long deadlineNanos) {
      while (!ex.responded()) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return;
        }
        Runnable r;
        try {
          r = resumed.poll(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        if (r == null) {
          return;
        }
        r.run();
      }
    }

    Decision decision(Exchange ex) {
      if (!ex.responded()) {
        return new Decision(
            Decision.Outcome.PENDING, 0, null, by, reason, Map.of(), "", ex.subject());
      }
      return new Decision(outcome, status, stage, by, reason, headers, body, ex.subject());
    }

    // The carrier

    @Override
    public void forward(Exchange ex, PipelineRoute route, UpstreamTarget upstream) {
      for (int i = 0; i < upstreamHeaders.length; i += 2) {
        responseHeaders.add(upstreamHeaders[i], upstreamHeaders[i + 1]);
      }
      ResponseHead head = ResponseHead.fromUpstream(upstreamStatus, responseHeaders);
      StagePipeline.walkBack(ex, head);
      Buffer replaced = head.replacementBody();
      ResponseHead.BodyFilter filter = head.bodyFilter();
      if (replaced == null && filter != null) {
        byte[] raw = upstreamBody.getBytes(StandardCharsets.UTF_8);
        ResponseHead.Filtered out =
            raw.length > head.bodyFilterLimit()
                ? ResponseHead.Filtered.block("response body over the limit of its check")
                : filter.apply(Buffer.buffer(raw));
        Buffer kept = out.body();
        if (kept == null) {
          ex.decide(StagePipeline.GATEWAY, "blocked", out.reason());
          reason = out.reason();
          note(StagePipeline.GATEWAY, "response blocked: " + out.reason());
          head.replaceWithJson(502, ErrorJson.body(502, "bad gateway", ex.requestId()));
        } else {
          head.replaceBody(kept);
        }
      }
      Buffer sent = head.replacementBody();
      keep(ex, head, sent == null ? upstreamBody : sent.toString(StandardCharsets.UTF_8));
    }

    @Override
    public void refusing(Exchange ex, PipelineRoute route, Denial denial, ResponseHead head) {
      head.closeConnection(denial.closeConnection());
    }

    @Override
    public void answering(Exchange ex, ResponseHead head) {
      // nothing to release: no connection, no unread body
    }

    @Override
    public void send(Exchange ex, ResponseHead head) {
      Buffer b = head.replacementBody();
      keep(ex, head, b == null ? "" : b.toString(StandardCharsets.UTF_8));
    }

    private void keep(Exchange ex, ResponseHead head, String text) {
      if (!ex.startResponse(head.status())) {
        return;
      }
      status = head.status();
      // What the live writer adds after the response stages, so the headers are the client's.
      responseHeaders.set("x-request-id", ex.requestId());
      if (!responseHeaders.contains("date")) {
        responseHeaders.set("date", HttpDate.now());
      }
      headers = responseHeaders.toMap();
      body = text;
      ResponseRecorder recorder = ex.responseRecorder();
      if (recorder != null) {
        // Offline the whole answer is at hand at once: seen, complete, and the exchange over.
        recorder.head(head.status(), responseHeaders, head.fromUpstream());
        recorder.body(Buffer.buffer(text));
        recorder.complete();
        recorder.ended();
      }
    }

    @Override
    public void resume(Exchange ex, Runnable continuation) {
      if (Thread.currentThread() == owner) {
        continuation.run();
      } else {
        resumed.add(continuation);
      }
    }

    // The trace: record the verdict, pass every step on

    @Override
    public void routed(String route, String why) {
      if (next != null) {
        next.routed(route, why);
      }
    }

    @Override
    public void entered(String stage, String policy) {
      if (next != null) {
        next.entered(stage, policy);
      }
    }

    @Override
    public void proceeded(String stage, String policy) {
      if (next != null) {
        next.proceeded(stage, policy);
      }
    }

    @Override
    public void denied(@Nullable String stage, String by, int status, String reason) {
      verdict(Decision.Outcome.DENIED, stage, by, reason);
      if (next != null) {
        next.denied(stage, by, status, reason);
      }
    }

    @Override
    public void answered(@Nullable String stage, String by, int status) {
      verdict(Decision.Outcome.ANSWERED, stage, by, "");
      if (next != null) {
        next.answered(stage, by, status);
      }
    }

    @Override
    public void forwarded(String route, String upstream) {
      verdict(Decision.Outcome.FORWARDED, null, StagePipeline.GATEWAY, "");
      if (next != null) {
        next.forwarded(route, upstream);
      }
    }

    @Override
    public void note(String by, String detail) {
      if (next != null) {
        next.note(by, detail);
      }
    }

    private void verdict(
        Decision.Outcome outcome, @Nullable String stage, String by, String reason) {
      this.outcome = outcome;
      this.stage = stage;
      this.by = by;
      this.reason = reason;
    }
  }
}
