package dev.bulwark.proxy;

import dev.bulwark.config.RouteLimits;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.LoopTimer;
import dev.bulwark.exchange.ResponseRecorder;
import dev.bulwark.exchange.VertxRequest;
import dev.bulwark.identity.UpstreamIdentity;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One request forwarded upstream: streams the client's body with back-pressure while counting it
 * against the route's limit, maps upstream failures to 502/504, and later streams (or drains) the
 * upstream's body. A bodiless or already-read idempotent request whose reused keep-alive connection
 * turns out to have been closed by the upstream is sent once more on a fresh one. Confined to the
 * exchange's event loop.
 */
public final class ProxyCall implements dev.bulwark.exchange.Forwarding, UpstreamExchange {
  static final long NO_BODY = VertxRequest.NO_BODY;
  static final long CHUNKED = VertxRequest.CHUNKED;

  /** The client kept its whole share of upstream connections busy for the connect timeout. */
  private static final Denial CLIENT_SHARE_EXCEEDED =
      Denial.of(429, "too many requests", "client holds its share of upstream connections");

  /** The upstream was reached, and closed (or reset) the connection without an answer. */
  private static final Denial UPSTREAM_CLOSED =
      Denial.of(502, "bad gateway", "upstream closed the connection before answering");

  private static final Denial UPSTREAM_IDENTITY =
      Denial.of(502, "bad gateway", "upstream certificate carries none of the pinned san names");

  private final Exchange ex;
  private final HttpServerRequest req;
  private final RouteLimits limits;
  private final UpstreamListener listener;
  private final long framing;
  private final UpstreamTarget target;
  private final UpstreamIdentity identity;
  private final String uri;
  private @Nullable UpstreamPool pool;
  private @Nullable UpstreamConnection upstream;
  private @Nullable HttpResponse upstreamResponse;
  private @Nullable Handler<Buffer> bodyHandler;
  private @Nullable Handler<Void> endHandler;
  private boolean requestEnded;
  private boolean aborted;
  private boolean retried;
  private boolean streamingBody;
  private boolean waitingForDrain;
  private @Nullable String failureKind;
  private @Nullable LoopTimer watch;
  private final io.vertx.core.Context context;
  private long lastUpstreamNanos;
  private long bodyReceived;
  private boolean clientEnded;
  private boolean clientHolding;
  private @Nullable Buffer body;
  private long reserved;
  private @Nullable UploadRate uploadRate;
  private boolean endPending;
  private boolean upstreamDone;
  private boolean silenceWatched;
  private long holdingSinceNanos;
  private long watchDueNanos;
  private @Nullable Runnable onBodyStall;
  private final Handler<Void> watchHandler = this::onWatch;

  ProxyCall(
      io.vertx.core.Vertx vertx,
      Exchange ex,
      RouteLimits limits,
      UpstreamListener listener,
      long framing,
      UpstreamTarget target,
      UpstreamIdentity identity,
      String uri) {
    this.context = vertx.getOrCreateContext();
    this.target = target;
    this.identity = identity;
    this.ex = ex;
    this.req = ex.httpRequest();
    this.limits = limits;
    this.listener = listener;
    this.framing = framing;
    this.uri = uri;
  }

  /**
   * Starts forwarding. A request body no policy read yet is read whole first (the route's {@code
   * request-body: buffer}, within the process's budget for such bodies), so a slow upload never
   * holds an upstream connection; otherwise the connection is taken now and the body streamed.
   */
  void start(UpstreamPool pool) {
    this.pool = pool;
    if (limits.bufferBody() && ex.bufferedBody() == null && framing != NO_BODY && framing != 0) {
      long want = framing > 0 ? Math.min(framing, limits.maxBody()) : limits.maxBody();
      if (RequestBodyBudget.tryReserve(want)) {
        reserved = want;
        readBodyFirst();
        return;
      }
      // over the budget: this body streams (the client's share and the minimum rate still hold)
    }
    if (framing != NO_BODY && framing != 0) {
      // While the connection is being taken, a body the decoder cannot read ends the exchange.
      req.exceptionHandler(
          t -> {
            if (t instanceof DecoderException) {
              onClientError(t);
            }
          });
    }
    acquire(pool);
  }

  private void acquire(UpstreamPool pool) {
    ex.upstreamStarted(System.nanoTime());
    pool.acquire(
        this, limits.connectTimeout().toMillis(), ex.clientAddress(), limits.upstreamPerClient());
  }

  /** Reads the whole body into memory (bounded by the route's limit), then takes a connection. */
  private void readBodyFirst() {
    body = Buffer.buffer((int) Math.min(reserved, 64 * 1024)); // grows as bytes arrive
    req.handler(this::onBufferedChunk);
    req.endHandler(v -> onBufferedEnd());
    req.exceptionHandler(this::onClientError);
    if (req.headers().contains(HttpHeaders.EXPECT)) {
      req.response().writeContinue();
    }
    watchUpload();
    req.resume();
  }

  private void onBufferedChunk(Buffer chunk) {
    Buffer b = body;
    if (aborted || b == null) {
      return;
    }
    ex.addBytesIn(chunk.length());
    if (ex.bytesIn() > limits.maxBody()) {
      abort(Denial.BODY_TOO_LARGE);
      return;
    }
    b.appendBuffer(chunk);
  }

  private void onBufferedEnd() {
    UpstreamPool p = pool;
    if (aborted || p == null) {
      return;
    }
    requestEnded = true;
    stopUploadWatch();
    acquire(p);
  }

  private void watchUpload() {
    if (limits.minUploadRate() > 0) {
      uploadRate =
          new UploadRate(context, ex, limits.minUploadRate(), () -> abort(UploadRate.TOO_SLOW));
    }
  }

  private void stopUploadWatch() {
    UploadRate u = uploadRate;
    if (u != null) {
      u.stop();
      uploadRate = null;
    }
  }

  /** Gives back the memory reserved for a body read whole: it will not be sent again. */
  private void releaseBody() {
    if (reserved > 0) {
      RequestBodyBudget.release(reserved);
      reserved = 0;
    }
  }

  @Override
  public boolean requestEnded() {
    return requestEnded;
  }

  /** The upstream's response status, or 0 before its head arrived. */
  public int upstreamStatus() {
    HttpResponse r = upstreamResponse;
    return r == null ? 0 : r.status().code();
  }

  /** Returns the kind of upstream failure (for metrics), or null. */
  public @Nullable String failureKind() {
    return failureKind;
  }

  @Override
  public void onConnection(UpstreamConnection c) {
    if (aborted) {
      c.reset(this);
      return;
    }
    upstream = c;
    HeadersMultiMap headers = HeadersMultiMap.httpHeaders();
    Forwarder.writeUpstreamHeaders(ex, target, identity, headers);
    DefaultHttpRequest head =
        new DefaultHttpRequest(
            io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
            HttpMethod.valueOf(req.method().name()),
            uri,
            headers);
    byte[] read = ex.bufferedBody();
    // Wrapped, not copied: the exchange holds the only copy of a body a stage read.
    Buffer buffered = read != null ? BufferInternal.buffer(Unpooled.wrappedBuffer(read)) : body;
    if (buffered != null) {
      // The whole body was read (by a policy, or first): send exactly those bytes, framed by
      // length.
      requestEnded = true;
      req.exceptionHandler(this::onClientError);
      headers.set(HttpHeaders.CONTENT_LENGTH, Integer.toString(buffered.length()));
      c.writeHead(this, head);
      c.end(this, buffered);
      armHeadDeadline();
      return;
    }
    if (framing == NO_BODY || framing == 0) {
      if (framing == 0) {
        headers.set(HttpHeaders.CONTENT_LENGTH, "0");
      }
      c.writeHead(this, head);
      c.end(this, null);
      armHeadDeadline();
      if (!retried) {
        req.handler(this::onUnexpectedBody);
        req.endHandler(v -> requestEnded = true);
        req.exceptionHandler(this::onClientError);
        req.resume();
      }
      return;
    }
    streamingBody = true;
    if (framing == CHUNKED) {
      headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    } else {
      headers.set(HttpHeaders.CONTENT_LENGTH, Long.toString(framing));
    }
    c.writeHead(this, head);
    c.flush(this);
    req.handler(this::onClientChunk);
    req.endHandler(v -> onClientEnd());
    req.exceptionHandler(this::onClientError);
    if (req.headers().contains(HttpHeaders.EXPECT)) {
      req.response().writeContinue();
    }
    watchUpload();
    req.resume();
  }

  @Override
  public void onConnectFailure(Throwable cause) {
    upstreamFailed(cause);
  }

  private void onClientChunk(Buffer chunk) {
    if (aborted) {
      return;
    }
    ex.addBytesIn(chunk.length());
    if (ex.bytesIn() > limits.maxBody()) {
      abort(Denial.BODY_TOO_LARGE);
      return;
    }
    UpstreamConnection up = upstream;
    if (up == null) {
      return;
    }
    up.write(this, chunk);
    if (!up.writable() && !waitingForDrain) {
      waitingForDrain = true;
      req.pause();
    }
  }

  @Override
  public void onUpstreamWritable() {
    if (waitingForDrain) {
      waitingForDrain = false;
      req.resume();
    }
  }

  private void onUnexpectedBody(Buffer chunk) {
    if (chunk.length() > 0 && !aborted) {
      abort(Denial.BAD_FRAMING);
    }
  }

  private void onClientEnd() {
    requestEnded = true;
    stopUploadWatch();
    UpstreamConnection up = upstream;
    if (!aborted && up != null) {
      up.end(this, null);
      armHeadDeadline();
    }
  }

  /**
   * Starts the route's {@code timeout} once the whole request has been sent: the upstream must
   * answer with its response head within it (a slow upload is the body timeout's business), and
   * then never be silent for as long while its body streams. One timer per exchange, re-armed for
   * what is left rather than per chunk, cancelled when the exchange ends.
   */
  private void armHeadDeadline() {
    if (!silenceWatched && !aborted) {
      silenceWatched = true;
      long now = System.nanoTime();
      lastUpstreamNanos = now;
      watchUntil(now + limits.timeout().toNanos(), now);
    }
  }

  /** Makes the one timer fire by {@code dueNanos}: re-armed only when it would fire later. */
  private void watchUntil(long dueNanos, long nowNanos) {
    if (watch != null) {
      if (watchDueNanos <= dueNanos) {
        return;
      }
      stopWatch();
    }
    watchDueNanos = dueNanos;
    watch = LoopTimer.arm(context, (dueNanos - nowNanos + 999_999) / 1_000_000, watchHandler);
  }

  /**
   * Two deadlines share the timer. While the client takes nothing of the response (its write queue
   * stays full, or the end is not yet written), the send timeout runs and the upstream's silence is
   * not counted (the upstream is not read then). Otherwise, until the upstream's body is complete,
   * its silence must stay under the route timeout.
   */
  private void onWatch(Void v) {
    watch = null;
    if (aborted) {
      return;
    }
    long now = System.nanoTime();
    if (clientHolding || endPending) {
      long sendNanos = limits.sendTimeout().toNanos();
      if (now - holdingSinceNanos >= sendNanos) {
        clientStalled();
      } else {
        watchUntil(holdingSinceNanos + sendNanos, now);
      }
      return;
    }
    if (upstreamDone) {
      return;
    }
    long timeoutNanos = limits.timeout().toNanos();
    long silent = now - lastUpstreamNanos;
    if (silent < timeoutNanos) {
      watchUntil(lastUpstreamNanos + timeoutNanos, now);
    } else if (upstreamResponse == null) {
      upstreamFailed(new TimeoutException("no response head within the route timeout"));
    } else if (onBodyStall != null) {
      onBodyStall.run();
    } else {
      resetUpstream();
    }
  }

  /** The client took nothing for the send timeout: the response is broken off and logged so. */
  private void clientStalled() {
    aborted = true;
    stopWatch();
    resetUpstream();
    ex.decide("gateway", "aborted", "client stopped reading for the send timeout");
    if (req.connection() instanceof Http1xServerConnection http1) {
      // Closed at once with a reset, past TLS: a graceful close would first wait for the client
      // to read what is queued, which is what it stopped doing.
      Channel ch = http1.channel();
      ch.config().setOption(ChannelOption.SO_LINGER, 0);
      ch.pipeline().firstContext().close();
    } else {
      req.response().reset(); // HTTP/2: RST_STREAM(CANCEL); the connection's other streams go on
    }
  }

  private void stopWatch() {
    LoopTimer w = watch;
    if (w != null) {
      w.cancel();
      watch = null;
    }
  }

  private void onClientError(Throwable t) {
    if (!aborted) {
      abort(Denial.BAD_FRAMING);
    }
  }

  @Override
  public void clientGone() {
    if (!aborted) {
      aborted = true;
      stopWatch();
      stopUploadWatch();
      resetUpstream();
    }
  }

  @Override
  public void abort(Denial denial) {
    if (aborted) {
      return;
    }
    aborted = true;
    stopWatch();
    stopUploadWatch();
    resetUpstream();
    if (!ex.responded()) {
      ex.deny(denial);
    } else {
      ex.decide("gateway", "aborted", denial.reason());
      req.response().reset();
    }
  }

  private void resetUpstream() {
    releaseBody();
    UpstreamConnection up = upstream;
    if (up != null) {
      upstream = null;
      up.reset(this);
    }
  }

  @Override
  public void onUpstreamHead(HttpResponse head) {
    if (aborted) {
      resetUpstream();
      return;
    }
    upstreamResponse = head;
    releaseBody(); // answered: the request will not be sent again
    long now = System.nanoTime();
    lastUpstreamNanos = now;
    ex.upstreamAnswered(now);
    pauseUpstream(); // until the response policies chose how to read the body
    listener.onUpstreamResponse(ex, this, head.status().code(), (MultiMap) head.headers());
  }

  @Override
  public void onUpstreamChunk(Buffer chunk) {
    Handler<Buffer> h = bodyHandler;
    if (h != null) {
      h.handle(chunk);
    }
  }

  @Override
  public void onUpstreamEnd() {
    upstream = null; // the connection goes back to its pool (or closes) after this
    upstreamDone = true;
    Handler<Void> h = endHandler;
    if (h != null) {
      h.handle(null);
    } else {
      stopWatch();
    }
  }

  @Override
  public void onUpstreamFailure(Throwable cause) {
    upstream = null;
    if (!aborted
        && !retried
        && cause instanceof UpstreamConnection.UpstreamClosedException closed
        && closed.reusedConnection
        && !closed.afterHead
        && replayable()) {
      // A keep-alive connection the upstream closed just as it was reused: the request never
      // reached it. Send it once more on a fresh connection.
      retried = true;
      stopWatch();
      silenceWatched = false; // the head deadline starts again with the new connection
      UpstreamPool p = pool;
      if (p != null) {
        p.acquire(
            this,
            limits.connectTimeout().toMillis(),
            ex.clientAddress(),
            limits.upstreamPerClient());
        return;
      }
    }
    upstreamFailed(cause);
  }

  /** Whether the request can be sent again: idempotent, and no body streamed from the client. */
  private boolean replayable() {
    if (streamingBody) {
      return false;
    }
    return switch (req.method().name()) {
      case "GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE" -> true;
      default -> false;
    };
  }

  private void pauseUpstream() {
    UpstreamConnection up = upstream;
    if (up != null) {
      up.pause(this);
    }
  }

  private void resumeUpstream() {
    UpstreamConnection up = upstream;
    if (up != null) {
      up.resume(this);
    }
  }

  private void upstreamFailed(Throwable t) {
    if (aborted) {
      return;
    }
    aborted = true;
    stopWatch();
    stopUploadWatch();
    Denial denial;
    if (t instanceof UpstreamPool.ClientShareExceededException) {
      failureKind = "client-share";
      denial = CLIENT_SHARE_EXCEEDED;
    } else if (t instanceof TimeoutException
        || t instanceof ConnectTimeoutException
        || t instanceof SslHandshakeTimeoutException) {
      failureKind = "timeout";
      denial = Denial.UPSTREAM_TIMEOUT;
    } else if (t instanceof ConnectException) {
      failureKind = "connect";
      denial = Denial.UPSTREAM_UNREACHABLE;
    } else if (t instanceof UpstreamSanPins.MismatchException) {
      failureKind = "identity";
      denial = UPSTREAM_IDENTITY;
    } else if (t instanceof UpstreamPool.PoolSaturatedException) {
      failureKind = "pool-full";
      denial = Denial.UPSTREAM_UNREACHABLE;
    } else if (upstreamResponse == null
        && t instanceof UpstreamConnection.UpstreamClosedException) {
      failureKind = "reset";
      denial = UPSTREAM_CLOSED;
    } else {
      failureKind = upstreamResponse == null ? "bad-response" : "reset";
      denial = Denial.UPSTREAM_BAD_RESPONSE;
    }
    resetUpstream();
    if (!ex.responded()) {
      ex.deny(denial);
    } else {
      // The head is already out: the only honest signal left is to break the response.
      ex.decide("gateway", "aborted", abortReason(t));
      req.response().reset();
    }
  }

  /** Why a response already under way was broken off, for the access log. */
  private static String abortReason(Throwable t) {
    if (t instanceof TimeoutException) {
      return "upstream silent mid-body for the route timeout";
    }
    if (t instanceof UpstreamConnection.UpstreamClosedException
        || t instanceof PrematureChannelClosureException) {
      return "upstream closed the connection mid-response";
    }
    if (t instanceof IOException) {
      return "upstream connection broken mid-response";
    }
    return "upstream sent an invalid response body";
  }

  /** Watches the upstream body for silence longer than the route timeout ({@code onStall}). */
  private void watchBody(Runnable onStall) {
    onBodyStall = onStall;
    lastUpstreamNanos = System.nanoTime();
    armHeadDeadline(); // an early answer (before the request ended) is not watched yet
  }

  /**
   * Streams the upstream body to the client with back-pressure, then calls {@code done}. When the
   * upstream declared its length, the chunk that completes it ends the client response itself: one
   * write (on HTTP/2 one DATA frame with END_STREAM) instead of the chunk and then an empty end.
   */
  public void streamBody(HttpServerResponse out, Handler<Void> done) {
    watchBody(() -> upstreamFailed(new TimeoutException("upstream body stalled")));
    Handler<Void> drained =
        v -> {
          clientHolding = false;
          long now = System.nanoTime();
          lastUpstreamNanos = now;
          if (!upstreamDone) {
            watchUntil(now + limits.timeout().toNanos(), now);
          }
          resumeUpstream();
        };
    long declared = declaredLength();
    bodyHandler =
        chunk -> {
          long now = System.nanoTime();
          lastUpstreamNanos = now;
          ex.addBytesOut(chunk.length());
          bodyReceived += chunk.length();
          ResponseRecorder recorder = ex.responseRecorder();
          if (recorder != null) {
            recorder.body(chunk);
          }
          if (bodyReceived == declared) {
            clientEnded = true; // the decoder delivers the upstream's end right after
            endClient(out.end(chunk), done);
            return;
          }
          out.write(chunk);
          if (out.writeQueueFull()) {
            holdBack(now);
            pauseUpstream();
            out.drainHandler(drained);
          }
        };
    endHandler =
        v -> {
          if (!aborted && !clientEnded) {
            clientEnded = true;
            endClient(out.end(), done);
          } else if (!endPending) {
            stopWatch();
          }
        };
    resumeUpstream();
  }

  /**
   * Writes a whole body the gateway holds (a response checked against its contract) and calls
   * {@code done} once it is written; a client that takes none of it for the send timeout is cut off
   * as while streaming.
   */
  public void sendWhole(HttpServerResponse out, Buffer body, Handler<Void> done) {
    if (aborted) {
      out.end(body).onComplete(x -> done.handle(null));
      return;
    }
    clientEnded = true;
    endClient(out.end(body), done);
  }

  /** The client's write queue is full: from now on the send timeout runs. */
  private void holdBack(long now) {
    if (!clientHolding && !endPending) {
      holdingSinceNanos = now;
      watchUntil(now + limits.sendTimeout().toNanos(), now);
    }
    clientHolding = true;
  }

  /**
   * Calls {@code done} once the response's end is written. Until then (a client that stopped
   * reading), the send timeout runs.
   */
  private void endClient(io.vertx.core.Future<Void> ended, Handler<Void> done) {
    if (!ended.isComplete()) {
      long now = System.nanoTime();
      if (!clientHolding) {
        holdingSinceNanos = now;
      }
      endPending = true;
      watchUntil(holdingSinceNanos + limits.sendTimeout().toNanos(), now);
    }
    ended.onComplete(
        x -> {
          endPending = false;
          clientHolding = false;
          stopWatch();
          done.handle(null);
        });
  }

  /** The body length the upstream declared, or -1 (none, chunked, or not a plain number). */
  private long declaredLength() {
    HttpResponse res = upstreamResponse;
    if (res == null) {
      return -1;
    }
    String cl = res.headers().get(HttpHeaders.CONTENT_LENGTH);
    if (cl == null || res.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
      return -1;
    }
    try {
      long n = Long.parseLong(cl);
      return n > 0 ? n : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Reads the whole upstream body and hands it to {@code done}, or null once it exceeds {@code
   * limit} bytes (the upstream connection is then dropped).
   */
  public void bufferBody(long limit, Consumer<@Nullable Buffer> done) {
    Buffer body = Buffer.buffer();
    watchBody(() -> upstreamFailed(new TimeoutException("upstream body stalled")));
    bodyHandler =
        chunk -> {
          lastUpstreamNanos = System.nanoTime();
          if (aborted) {
            return;
          }
          if (body.length() + (long) chunk.length() > limit) {
            aborted = true;
            stopWatch();
            resetUpstream();
            done.accept(null);
            return;
          }
          body.appendBuffer(chunk);
        };
    endHandler =
        v -> {
          stopWatch();
          if (!aborted) {
            done.accept(body);
          }
        };
    resumeUpstream();
  }

  /** Reads and discards the upstream body, keeping its first {@code keep} bytes for the log. */
  public void drainBody(int keep, Consumer<byte[]> kept) {
    ByteArrayOutputStream head = new ByteArrayOutputStream(Math.min(keep, 4096));
    long[] total = {0};
    boolean[] reported = {false};
    Consumer<byte[]> once =
        b -> {
          if (!reported[0]) {
            reported[0] = true;
            kept.accept(b);
          }
        };
    watchBody(
        () -> {
          resetUpstream();
          once.accept(head.toByteArray());
        });
    bodyHandler =
        chunk -> {
          lastUpstreamNanos = System.nanoTime();
          total[0] += chunk.length();
          if (head.size() < keep) {
            byte[] b = chunk.getBytes();
            head.write(b, 0, Math.min(b.length, keep - head.size()));
          }
          if (total[0] > 1024L * 1024L) {
            // A huge error body is not worth the bandwidth: drop the upstream connection instead.
            stopWatch();
            resetUpstream();
            once.accept(head.toByteArray());
          }
        };
    endHandler =
        v -> {
          stopWatch();
          once.accept(head.toByteArray());
        };
    resumeUpstream();
  }

  /** Copies the upstream's end-to-end response headers into the client response's headers. */
  public static void copyResponseHeaders(MultiMap from, MultiMap to) {
    HeaderHygiene.copyResponseHeaders(from, to);
  }
}
