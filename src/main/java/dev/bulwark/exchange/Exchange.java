package dev.bulwark.exchange;

import static java.util.Objects.requireNonNull;

import io.vertx.core.http.HttpServerRequest;
import java.util.Arrays;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One request and its answer as it walks the stages: who sent it ({@link #request()}, a view that
 * is no server's type), which route it matched, what each stage decided, per-request state under
 * typed {@link AttributeKey}s, and the figures the access log and metrics report. Created per
 * request, touched only by the event loop that owns the request; continuations that come back from
 * elsewhere go through {@link #resume}.
 */
public final class Exchange {
  private final RequestView request;
  private final HeaderMap responseHeaders;
  private final ExchangeDriver driver;
  private final String requestId;
  private final long startNanos;
  private final String[] params;
  private final Object route;

  private int entered;
  private String decidedBy = "gateway";
  private String decision = "allow";
  private @Nullable String denyReason;
  private long bytesIn;
  private long bytesOut;
  private long upstreamStartNanos;
  private long upstreamNanos = -1;
  private int status;
  private boolean responded;
  private int captureUpstreamBody;
  private boolean finished;
  private @Nullable LoopTimer bodyTimer;
  private @Nullable Runnable stopUploadWatch;
  private @Nullable Forwarding forwarding;
  private @Nullable String subject;
  private Object @Nullable [] attributes;
  private @Nullable DecisionTrace trace;
  private byte @Nullable [] body;
  private @Nullable ResponseRecorder recorder;

  /**
   * An exchange over a request view, the response headers that its policies and the gateway fill
   * in, and the driver that moves it along its route's stages.
   */
  public Exchange(
      RequestView request,
      HeaderMap responseHeaders,
      ExchangeDriver driver,
      String requestId,
      String[] params,
      Object route,
      long startNanos) {
    this.request = requireNonNull(request, "request");
    this.responseHeaders = requireNonNull(responseHeaders, "responseHeaders");
    this.driver = requireNonNull(driver, "driver");
    this.requestId = requireNonNull(requestId, "requestId");
    this.params = requireNonNull(params, "params");
    this.route = requireNonNull(route, "route");
    this.startNanos = startNanos;
  }

  /** Lets the request through to the next stage. */
  public void proceed() {
    driver.proceed(this);
  }

  /** Ends the exchange with a denial; the reason is logged, never sent. */
  public void deny(Denial denial) {
    driver.deny(this, denial);
  }

  /**
   * Ends the exchange with a bodiless answer of the gateway's own: a CORS preflight's 204,
   * forward-auth's 200.
   */
  public void answer(int status) {
    driver.answer(this, status);
  }

  /**
   * Runs {@code continuation} on this exchange's event loop: at once when called there, else queued
   * to it. Every callback that may arrive on another thread (a store, a key fetch, a blocking
   * executor) comes back through here before it touches the exchange.
   */
  public void resume(Runnable continuation) {
    driver.resume(this, continuation);
  }

  /** Returns the request as policies read it. */
  public RequestView request() {
    return request;
  }

  /**
   * Returns the headers of the response this exchange will send: policies set theirs here on the
   * way in (a challenge, {@code Allow}); on the way out they are {@link ResponseHead#headers()}.
   */
  public HeaderMap responseHeaders() {
    return responseHeaders;
  }

  /**
   * Returns the live server's request behind this exchange, for the server and the proxy only;
   * policies read {@link #request()}.
   *
   * @throws IllegalStateException when no live request is behind it (a test or an offline run)
   */
  public HttpServerRequest httpRequest() {
    if (request instanceof VertxRequest v) {
      return v.raw();
    }
    throw new IllegalStateException("no live HTTP request behind this exchange");
  }

  /** Returns the value kept under {@code key}, or null when none was set. */
  @SuppressWarnings("unchecked") // attr(key, value) only stores a T under a key of T
  public <T> @Nullable T attr(AttributeKey<T> key) {
    Object[] a = attributes;
    return a == null || key.id >= a.length ? null : (T) a[key.id];
  }

  /** Keeps {@code value} under {@code key} for the rest of the exchange. */
  public <T> void attr(AttributeKey<T> key, T value) {
    requireNonNull(value, "value");
    Object[] a = attributes;
    if (a == null) {
      a = new Object[Math.max(AttributeKey.count(), key.id + 1)];
      attributes = a;
    } else if (key.id >= a.length) {
      a = Arrays.copyOf(a, key.id + 1);
      attributes = a;
    }
    a[key.id] = value;
  }

  public String requestId() {
    return requestId;
  }

  /** Returns the client's address as resolved through trusted proxies. */
  public String clientAddress() {
    return request.clientAddress();
  }

  /** Returns the lower-case request host without port. */
  public String host() {
    return request.host();
  }

  /** Returns the port the request named with its host, or -1 when it named none. */
  public int hostPort() {
    return request.port();
  }

  /** Returns the normalised path (no query). */
  public String path() {
    return request.path();
  }

  /** Returns the route's template values in the order of its pattern. */
  public String[] params() {
    return params;
  }

  /** Returns the compiled route (its type belongs to the pipeline that drives the exchange). */
  public Object route() {
    return route;
  }

  public long startNanos() {
    return startNanos;
  }

  /** Returns how many stages the request has entered; they see the response in reverse. */
  public int entered() {
    return entered;
  }

  /** Advances the stage counter and returns the index of the stage now entered. */
  public int enterNext() {
    return entered++;
  }

  /** Marks the first {@code count} stages (the edge stages, which never deny) as entered. */
  public void enterEdge(int count) {
    entered = count;
  }

  public String decision() {
    return decision;
  }

  public @Nullable String denyReason() {
    return denyReason;
  }

  /** Returns the policy (or {@code gateway}) that made the decision. */
  public String decidedBy() {
    return decidedBy;
  }

  /** Records who decided what about the exchange, and why (for log and metrics; never sent). */
  public void decide(String by, String decision, @Nullable String reason) {
    this.decidedBy = by;
    this.decision = decision;
    this.denyReason = reason;
  }

  public long bytesIn() {
    return bytesIn;
  }

  public void addBytesIn(long n) {
    bytesIn += n;
  }

  public long bytesOut() {
    return bytesOut;
  }

  public void addBytesOut(long n) {
    bytesOut += n;
  }

  public void upstreamStarted(long nanos) {
    upstreamStartNanos = nanos;
  }

  public void upstreamAnswered(long nanos) {
    if (upstreamStartNanos != 0 && upstreamNanos < 0) {
      upstreamNanos = nanos - upstreamStartNanos;
    }
  }

  /** Returns the upstream time to response head in nanoseconds, or -1 when not forwarded. */
  public long upstreamNanos() {
    return upstreamNanos;
  }

  public int status() {
    return status;
  }

  /** Marks the response as started with a status; returns false when one was already started. */
  public boolean startResponse(int status) {
    if (responded) {
      return false;
    }
    responded = true;
    this.status = status;
    return true;
  }

  /** Asks the forwarder to keep up to {@code bytes} of the upstream body for the log. */
  public void captureUpstreamBody(int bytes) {
    captureUpstreamBody = bytes;
  }

  /** Returns how many bytes of the upstream body to keep for the log (0: none). */
  public int captureUpstreamBody() {
    return captureUpstreamBody;
  }

  /** Returns whether the TCP peer is a trusted proxy. */
  public boolean trustedPeer() {
    return request.trustedPeer();
  }

  /** Returns the upstream leg once forwarding has started, else null. */
  public @Nullable Forwarding forwarding() {
    return forwarding;
  }

  public void forwarding(Forwarding f) {
    this.forwarding = f;
  }

  /** Marks the exchange as accounted for; returns false when it already was. */
  public boolean finish() {
    if (finished) {
      return false;
    }
    finished = true;
    return true;
  }

  /** Returns the body-read deadline, or null when none is armed. */
  public @Nullable LoopTimer bodyTimer() {
    return bodyTimer;
  }

  public void bodyTimer(LoopTimer timer) {
    this.bodyTimer = timer;
  }

  /**
   * Returns what stops the upload-rate watch of a body a stage reads, or null when none runs: it is
   * stopped when the exchange ends, so its timer does not keep the exchange alive after that.
   */
  public @Nullable Runnable stopUploadWatch() {
    return stopUploadWatch;
  }

  public void stopUploadWatch(Runnable stop) {
    this.stopUploadWatch = stop;
  }

  /** Returns whether the exchange has been answered or accounted for. */
  public boolean finishedOrResponded() {
    return finished || responded;
  }

  /** Records a status for an exchange that ended without a response (client gone: 499). */
  public void forceStatus(int status) {
    if (!responded) {
      this.status = status;
    }
  }

  public boolean responded() {
    return responded;
  }

  /**
   * Returns the decision trace attached to this exchange, or null (the usual case: the live server
   * traces nothing unless asked). A policy that adds a detail to its verdict checks for null first
   * and builds its text only then.
   */
  public @Nullable DecisionTrace trace() {
    return trace;
  }

  /** Attaches a trace that receives every decision made from now on about this exchange. */
  public void trace(DecisionTrace trace) {
    this.trace = requireNonNull(trace, "trace");
  }

  /** Returns the authenticated principal's subject, or null while the request is anonymous. */
  public @Nullable String subject() {
    return subject;
  }

  /**
   * Records whom the request was authenticated as: logged, and the key of per-subject limits. The
   * authentication policy keeps its full view of the caller under its own attribute key.
   */
  public void authenticated(String subject) {
    this.subject = requireNonNull(subject, "subject");
  }

  /**
   * Reads the whole request body (over {@code limit} bytes: 413 and close) and hands it to {@code
   * onBody}; the body is then forwarded from memory with its Content-Length instead of streamed (a
   * later stage that asks again gets the same bytes at once). A client error answers 400, the
   * route's body timeout and minimum upload rate still apply, and nothing is delivered once the
   * exchange is answered or the client is gone.
   */
  public void readBody(long limit, Consumer<byte[]> onBody) {
    byte[] read = body;
    if (read != null) {
      // An earlier stage read it (a signature's digest, the contract, an idempotency fingerprint):
      // the same bytes, and nothing once the exchange is answered.
      if (finishedOrResponded()) {
        return;
      }
      if (read.length > limit) {
        deny(Denial.BODY_TOO_LARGE);
      } else {
        onBody.accept(read);
      }
      return;
    }
    driver.readingBody(this);
    request.readBody(
        limit,
        new BodyReader() {
          @Override
          public boolean wanted() {
            return !finishedOrResponded();
          }

          @Override
          public void received(int bytes) {
            bytesIn += bytes;
          }

          @Override
          public void body(byte[] whole) {
            body = whole;
            onBody.accept(whole);
          }

          @Override
          public void refused(Denial denial) {
            deny(denial);
          }
        });
  }

  /**
   * Registers the recorder that sees the response this exchange sends and its end (one per
   * exchange; a second replaces the first).
   */
  public void recordResponse(ResponseRecorder recorder) {
    this.recorder = requireNonNull(recorder, "recorder");
  }

  /** Returns the recorder of this exchange's response, or null when none was registered. */
  public @Nullable ResponseRecorder responseRecorder() {
    return recorder;
  }

  /**
   * Returns the body read by {@link #readBody}, to be forwarded as is (not to be changed: the
   * stages that read it saw the same bytes), or null when it is streamed.
   */
  public byte @Nullable [] bufferedBody() {
    return body;
  }
}
