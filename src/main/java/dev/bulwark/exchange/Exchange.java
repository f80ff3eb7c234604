package dev.bulwark.exchange;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import org.jspecify.annotations.Nullable;

/**
 * One request and its answer as it walks the stages: who sent it, which route it matched, what each
 * stage decided, and the figures the access log and metrics report. Created per request, touched
 * only by the event loop that owns the request.
 */
public final class Exchange {
  private final HttpServerRequest request;
  private final ExchangeDriver driver;
  private final String requestId;
  private final String clientAddress;
  private final String host;
  private int hostPort = -1;
  private final String path;
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
  private boolean trustedPeer;
  private boolean finished;
  private @Nullable LoopTimer bodyTimer;
  private @Nullable Forwarding forwarding;
  private @Nullable String subject;
  private @Nullable Object identity;
  private @Nullable Object rateLimit;
  private @Nullable Buffer bufferedBody;

  public Exchange(
      HttpServerRequest request,
      ExchangeDriver driver,
      String requestId,
      String clientAddress,
      String host,
      String path,
      String[] params,
      Object route,
      long startNanos) {
    this.request = request;
    this.driver = driver;
    this.requestId = requestId;
    this.clientAddress = clientAddress;
    this.host = host;
    this.path = path;
    this.params = params;
    this.route = route;
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

  public HttpServerRequest request() {
    return request;
  }

  public String requestId() {
    return requestId;
  }

  /** Returns the client's address as resolved through trusted proxies. */
  public String clientAddress() {
    return clientAddress;
  }

  /** Returns the lower-case request host without port. */
  public String host() {
    return host;
  }

  /** Returns the port the request named with its host, or -1 when it named none. */
  public int hostPort() {
    return hostPort;
  }

  public void hostPort(int port) {
    this.hostPort = port;
  }

  /** Returns the normalised path (no query). */
  public String path() {
    return path;
  }

  /** Returns the route's template values in the order of its pattern. */
  public String[] params() {
    return params;
  }

  /** Returns the compiled route (its type belongs to the server). */
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
    return trustedPeer;
  }

  public void trustedPeer(boolean trusted) {
    this.trustedPeer = trusted;
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

  /** Returns the authenticated principal's subject, or null while the request is anonymous. */
  public @Nullable String subject() {
    return subject;
  }

  /**
   * Records who the request was authenticated as: the subject (logged, and the key of per-subject
   * limits) and the authentication policy's own view of the identity (its type belongs to it).
   */
  public void authenticated(String subject, Object identity) {
    this.subject = subject;
    this.identity = identity;
  }

  /** Returns the identity set by {@link #authenticated}, or null. */
  public @Nullable Object identity() {
    return identity;
  }

  /** Returns the rate-limit policy's outcome for the response headers (its type is its own). */
  public @Nullable Object rateLimit() {
    return rateLimit;
  }

  public void rateLimit(Object outcome) {
    this.rateLimit = outcome;
  }

  /**
   * Reads the whole request body (over {@code limit} bytes: 413 and close) and hands it to {@code
   * onBody}; the body is then forwarded from memory with its Content-Length instead of streamed. A
   * client error answers 400, the route's body timeout still applies, and nothing is delivered once
   * the exchange is answered or the client is gone (the buffer is then garbage).
   */
  public void readBody(long limit, Handler<Buffer> onBody) {
    String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    int initial = 256;
    if (declared != null) {
      try {
        initial = (int) Math.max(0, Math.min(limit, Long.parseLong(declared.trim())));
      } catch (NumberFormatException e) {
        // the framing checks refused malformed lengths before any policy ran
      }
    }
    Buffer body = Buffer.buffer(initial);
    request.handler(
        chunk -> {
          if (finishedOrResponded()) {
            return;
          }
          bytesIn += chunk.length();
          if (bytesIn > limit) {
            deny(Denial.BODY_TOO_LARGE);
            return;
          }
          body.appendBuffer(chunk);
        });
    request.exceptionHandler(
        t -> {
          if (!finishedOrResponded()) {
            deny(Denial.BAD_FRAMING);
          }
        });
    request.endHandler(
        v -> {
          if (!finishedOrResponded()) {
            bufferedBody = body;
            onBody.handle(body);
          }
        });
    if (request.headers().contains(HttpHeaders.EXPECT)) {
      request.response().writeContinue();
    }
    request.resume();
  }

  /** Returns the body read by {@link #readBody}, to be forwarded as is, or null (streamed). */
  public @Nullable Buffer bufferedBody() {
    return bufferedBody;
  }
}
