package dev.bulwark.proxy;

import dev.bulwark.config.RouteLimits;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.LoopTimer;
import dev.bulwark.identity.UpstreamIdentity;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One request forwarded upstream: streams the client's body with back-pressure while counting it
 * against the route's limit, maps upstream failures to 502/504, and later streams (or drains) the
 * upstream's body. Confined to the exchange's event loop.
 */
public final class ProxyCall implements dev.bulwark.exchange.Forwarding {
  static final long NO_BODY = -1;
  static final long CHUNKED = -2;

  private final Exchange ex;
  private final HttpServerRequest req;
  private final RouteLimits limits;
  private final UpstreamListener listener;
  private final long framing;
  private final UpstreamTarget target;
  private final UpstreamIdentity identity;
  private @Nullable HttpClientRequest upstream;
  private @Nullable HttpClientResponse upstreamResponse;
  private boolean requestEnded;
  private boolean aborted;
  private @Nullable String failureKind;
  private @Nullable LoopTimer watch;
  private final io.vertx.core.Context context;
  private long lastUpstreamNanos;
  private long bodyReceived;
  private boolean clientEnded;
  private @Nullable Runnable onBodyStall;
  private final Handler<Void> watchHandler = this::onWatch;

  ProxyCall(
      io.vertx.core.Vertx vertx,
      Exchange ex,
      RouteLimits limits,
      UpstreamListener listener,
      long framing,
      UpstreamTarget target,
      UpstreamIdentity identity) {
    this.context = vertx.getOrCreateContext();
    this.target = target;
    this.identity = identity;
    this.ex = ex;
    this.req = ex.request();
    this.limits = limits;
    this.listener = listener;
    this.framing = framing;
  }

  void start(HttpClient client, RequestOptions options) {
    ex.upstreamStarted(System.nanoTime());
    client.request(options).onComplete(this::onRequest);
  }

  @Override
  public boolean requestEnded() {
    return requestEnded;
  }

  /** Returns the kind of upstream failure (for metrics), or null. */
  public @Nullable String failureKind() {
    return failureKind;
  }

  private void onRequest(AsyncResult<HttpClientRequest> ar) {
    if (aborted) {
      if (ar.succeeded()) {
        ar.result().reset();
      }
      return;
    }
    if (ar.failed()) {
      upstreamFailed(ar.cause());
      return;
    }
    HttpClientRequest up = ar.result();
    upstream = up;
    Forwarder.writeUpstreamHeaders(ex, target, identity, up.headers());
    up.response().onComplete(this::onResponse);
    up.exceptionHandler(this::upstreamFailed);
    Buffer buffered = ex.bufferedBody();
    if (buffered != null) {
      // A policy read (and checked) the whole body: send exactly those bytes, framed by length.
      requestEnded = true;
      req.exceptionHandler(this::onClientError);
      up.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(buffered.length()));
      up.end(buffered);
      armHeadDeadline();
      return;
    }
    if (framing == NO_BODY || framing == 0) {
      if (framing == 0) {
        up.putHeader(HttpHeaders.CONTENT_LENGTH, "0");
      }
      up.end();
      armHeadDeadline();
      req.handler(this::onUnexpectedBody);
      req.endHandler(v -> requestEnded = true);
      req.exceptionHandler(this::onClientError);
      req.resume();
      return;
    }
    if (framing == CHUNKED) {
      up.setChunked(true);
    } else {
      up.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(framing));
    }
    req.handler(this::onClientChunk);
    req.endHandler(v -> onClientEnd());
    req.exceptionHandler(this::onClientError);
    if (req.headers().contains(HttpHeaders.EXPECT)) {
      req.response().writeContinue();
    }
    req.resume();
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
    HttpClientRequest up = upstream;
    if (up == null) {
      return;
    }
    up.write(chunk);
    if (up.writeQueueFull()) {
      req.pause();
      up.drainHandler(v -> req.resume());
    }
  }

  private void onUnexpectedBody(Buffer chunk) {
    if (chunk.length() > 0 && !aborted) {
      abort(Denial.BAD_FRAMING);
    }
  }

  private void onClientEnd() {
    requestEnded = true;
    HttpClientRequest up = upstream;
    if (!aborted && up != null) {
      up.end();
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
    if (watch == null && !aborted) {
      lastUpstreamNanos = System.nanoTime();
      watch = LoopTimer.arm(context, limits.timeout().toMillis(), watchHandler);
    }
  }

  private void onWatch(Void v) {
    watch = null;
    if (aborted) {
      return;
    }
    long timeoutNanos = limits.timeout().toNanos();
    long silent = System.nanoTime() - lastUpstreamNanos;
    if (silent < timeoutNanos) {
      watch = LoopTimer.arm(context, (timeoutNanos - silent) / 1_000_000, watchHandler);
    } else if (upstreamResponse == null) {
      upstreamFailed(new TimeoutException("no response head within the route timeout"));
    } else if (onBodyStall != null) {
      onBodyStall.run();
    } else {
      resetUpstream();
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
    resetUpstream();
    if (!ex.responded()) {
      ex.deny(denial);
    } else {
      req.response().reset();
    }
  }

  private void resetUpstream() {
    HttpClientRequest up = upstream;
    if (up != null) {
      up.reset();
    }
  }

  private void onResponse(AsyncResult<HttpClientResponse> ar) {
    if (aborted) {
      if (ar.succeeded()) {
        resetUpstream();
      }
      return;
    }
    if (ar.failed()) {
      upstreamFailed(ar.cause());
      return;
    }
    HttpClientResponse res = ar.result();
    upstreamResponse = res;
    lastUpstreamNanos = System.nanoTime();
    res.pause();
    ex.upstreamAnswered(System.nanoTime());
    res.exceptionHandler(this::upstreamFailed);
    listener.onUpstreamResponse(ex, this, res);
  }

  private void upstreamFailed(Throwable t) {
    if (aborted) {
      return;
    }
    aborted = true;
    stopWatch();
    Denial denial;
    if (t instanceof TimeoutException || t instanceof ConnectTimeoutException) {
      failureKind = "timeout";
      denial = Denial.UPSTREAM_TIMEOUT;
    } else if (t instanceof ConnectException) {
      failureKind = "connect";
      denial = Denial.UPSTREAM_UNREACHABLE;
    } else if (upstreamResponse == null && t instanceof io.vertx.core.http.HttpClosedException) {
      failureKind = "reset";
      denial = Denial.UPSTREAM_UNREACHABLE;
    } else {
      failureKind = upstreamResponse == null ? "bad-response" : "reset";
      denial = Denial.UPSTREAM_BAD_RESPONSE;
    }
    resetUpstream();
    if (!ex.responded()) {
      ex.deny(denial);
    } else {
      // The head is already out: the only honest signal left is to break the response.
      req.response().reset();
    }
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
  public void streamBody(HttpClientResponse res, HttpServerResponse out, Handler<Void> done) {
    watchBody(() -> upstreamFailed(new TimeoutException("upstream body stalled")));
    long declared = declaredLength(res);
    res.handler(
        chunk -> {
          lastUpstreamNanos = System.nanoTime();
          ex.addBytesOut(chunk.length());
          bodyReceived += chunk.length();
          if (bodyReceived == declared) {
            clientEnded = true; // the decoder delivers the upstream's end right after
            out.end(chunk).onComplete(x -> done.handle(null));
            return;
          }
          out.write(chunk);
          if (out.writeQueueFull()) {
            res.pause();
            out.drainHandler(v -> res.resume());
          }
        });
    res.endHandler(
        v -> {
          stopWatch();
          if (!aborted && !clientEnded) {
            out.end().onComplete(x -> done.handle(null));
          }
        });
    res.resume();
  }

  /** The body length the upstream declared, or -1 (none, chunked, or not a plain number). */
  private static long declaredLength(HttpClientResponse res) {
    String cl = res.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (cl == null || res.getHeader(HttpHeaders.TRANSFER_ENCODING) != null) {
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
  public void bufferBody(HttpClientResponse res, long limit, Consumer<@Nullable Buffer> done) {
    Buffer body = Buffer.buffer();
    watchBody(() -> upstreamFailed(new TimeoutException("upstream body stalled")));
    res.handler(
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
        });
    res.endHandler(
        v -> {
          stopWatch();
          if (!aborted) {
            done.accept(body);
          }
        });
    res.resume();
  }

  /** Reads and discards the upstream body, keeping its first {@code keep} bytes for the log. */
  public void drainBody(HttpClientResponse res, int keep, Consumer<byte[]> kept) {
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
    res.handler(
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
        });
    res.endHandler(
        v -> {
          stopWatch();
          once.accept(head.toByteArray());
        });
    res.resume();
  }

  /** Copies the upstream's end-to-end response headers into the client response's headers. */
  public static void copyResponseHeaders(HttpClientResponse from, io.vertx.core.MultiMap to) {
    HeaderHygiene.copyResponseHeaders(from.headers(), to);
  }
}
