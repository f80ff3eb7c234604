package dev.bulwark.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.util.ArrayDeque;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * One keep-alive HTTP/1.1 connection to an upstream, carrying one exchange at a time. It goes back
 * to its pool only when both the request and the response have ended and both sides allowed
 * keep-alive; anything else (an early answer, a reset, a broken response) closes it. What the
 * upstream sent is delivered in order even after the connection closed: body pieces the exchange
 * held back (a slow client) come first, then the end, or the failure that broke the connection.
 * Confined to its channel's event loop.
 */
final class UpstreamConnection extends ChannelInboundHandlerAdapter {
  /** Marks the response's end among the body pieces held while the exchange paused it. */
  private static final Object END = new Object();

  private final UpstreamPool pool;
  private final Channel channel;
  private final UpstreamCodec.Decoder decoder;
  private @Nullable UpstreamExchange user;

  /** The client address whose share of the pool this connection counts against while in use. */
  private String client = "";

  private int served;
  private boolean requestEnded;
  private boolean responseEnded;
  private boolean headSeen;
  private boolean keepAlive;
  private boolean paused;
  private boolean readingStopped;
  private boolean bodySent;
  private boolean requestBroken;
  private final ArrayDeque<Object> held = new ArrayDeque<>(2);

  /** The failure that broke the connection, waiting behind held body pieces; null while none. */
  private @Nullable Throwable heldFailure;

  private boolean pooled;
  private boolean inactive;
  private long idleSinceNanos;
  private long keepAliveNanos;

  UpstreamConnection(UpstreamPool pool, Channel channel, UpstreamCodec.Decoder decoder) {
    this.pool = pool;
    this.channel = channel;
    this.decoder = decoder;
    this.keepAliveNanos = pool.keepAliveNanos();
  }

  /** Whether this connection already carried an exchange (so the upstream may have dropped it). */
  boolean reused() {
    return served > 0;
  }

  /** The connection is ready (connected, TLS done): from now on its pool counts its closing. */
  void pooled() {
    pooled = true;
  }

  /** Whether its channel has already reported itself closed. */
  boolean closedSeen() {
    return inactive;
  }

  boolean isOpen() {
    return channel.isActive();
  }

  /** Whether it has been idle for longer than the pool (or the upstream's Keep-Alive) allows. */
  boolean expired(long nowNanos) {
    return nowNanos - idleSinceNanos >= keepAliveNanos;
  }

  void idleSince(long nowNanos) {
    idleSinceNanos = nowNanos;
  }

  void assign(UpstreamExchange exchange, String client) {
    user = exchange;
    this.client = client;
    requestEnded = false;
    responseEnded = false;
    headSeen = false;
    keepAlive = true;
    paused = false;
    heldFailure = null;
    bodySent = false;
    requestBroken = false;
  }

  /** Writes the request head; the body follows with {@link #write} and {@link #end}. */
  void writeHead(UpstreamExchange owner, HttpRequest head) {
    if (user == owner) {
      decoder.expect(head.method() == HttpMethod.HEAD);
      keepAlive = HttpUtil.isKeepAlive(head);
      channel.write(head, channel.voidPromise());
    }
  }

  /** Sends what has been written so far (a request head whose body is still to come). */
  void flush(UpstreamExchange owner) {
    if (user == owner) {
      channel.flush();
    }
  }

  /**
   * Sends a piece of the request body. Once a body write failed (the upstream closed or reset the
   * connection, typically because it answered without reading the body) the rest is dropped, and
   * the connection is still read: the answer may be on its way.
   */
  void write(UpstreamExchange owner, Buffer chunk) {
    if (user == owner && !requestEnded && !requestBroken) {
      bodySent = true;
      channel
          .writeAndFlush(new DefaultHttpContent(((BufferInternal) chunk).getByteBuf()))
          .addListener(bodyWritten);
    }
  }

  /** Ends the request, with a last piece of body or none. */
  void end(UpstreamExchange owner, @Nullable Buffer last) {
    if (user != owner || requestEnded) {
      return;
    }
    requestEnded = true;
    if (requestBroken) {
      return;
    }
    if (last == null && !bodySent) {
      // a bodiless request: a failure here is the keep-alive race, reported as a close
      channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, channel.voidPromise());
      return;
    }
    Object msg =
        last == null
            ? LastHttpContent.EMPTY_LAST_CONTENT
            : new DefaultLastHttpContent(((BufferInternal) last).getByteBuf());
    channel.writeAndFlush(msg).addListener(bodyWritten);
  }

  /**
   * A request body write failed. The connection is not failed for it (the channel does not close
   * itself on a write error): what the upstream sent before it closed is still read, and the read
   * side reports the end or the close.
   */
  private final ChannelFutureListener bodyWritten =
      f -> {
        if (!f.isSuccess()) {
          requestBroken = true;
          keepAlive = false;
        }
      };

  boolean writable() {
    return channel.isWritable();
  }

  /** Holds back the response body until {@link #resume}, reading no more from the socket. */
  void pause(UpstreamExchange owner) {
    if (user == owner) {
      paused = true;
    }
  }

  void resume(UpstreamExchange owner) {
    if (user != owner) {
      return;
    }
    paused = false;
    while (!paused && user == owner && !held.isEmpty()) {
      Object o = held.poll();
      if (o == END) {
        deliverEnd(owner);
      } else {
        owner.onUpstreamChunk((Buffer) o);
      }
    }
    Throwable broken = heldFailure;
    if (broken != null && !paused && user == owner && held.isEmpty()) {
      fail(owner, broken);
      return;
    }
    if (!paused && readingStopped) {
      readingStopped = false;
      channel.config().setAutoRead(true);
    }
  }

  /** Gives the connection up mid-exchange: it is closed, never reused. */
  void reset(UpstreamExchange owner) {
    if (user == owner) {
      detach();
      held.clear();
      heldFailure = null;
      channel.close();
    }
  }

  /**
   * Sits before the decoder: bytes arriving while no exchange holds the connection are not a
   * response to anything, so the connection is closed before the decoder could keep them as the
   * start of the next exchange's "response".
   */
  final ChannelInboundHandlerAdapter idleGuard =
      new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          if (user == null) {
            ReferenceCountUtil.release(msg);
            close();
          } else {
            ctx.fireChannelRead(msg);
          }
        }
      };

  /** Closes an idle connection (expired, or its pool is closing). */
  void close() {
    detach();
    channel.close();
  }

  /** The exchange lets the connection go (it closes): its client may take another. */
  private void detach() {
    if (user != null) {
      user = null;
      pool.detached(client);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (heldFailure != null) {
      // What the decoder makes of the close after a break (a close-delimited "end"): not the end.
      ReferenceCountUtil.release(msg);
      return;
    }
    UpstreamExchange u = user;
    if (u == null || responseEnded) {
      // Bytes nobody asked for (on an idle connection, or after the response): not HTTP we trust.
      ReferenceCountUtil.release(msg);
      close();
      return;
    }
    if (msg instanceof HttpResponse r) {
      if (failed(u, r.decoderResult())) {
        ReferenceCountUtil.release(msg);
        return;
      }
      int code = r.status().code();
      if (code == 101) {
        ReferenceCountUtil.release(msg);
        fail(u, new IOException("upstream switched protocols unasked (101)"));
        return;
      }
      if (code >= 200) {
        headSeen = true;
        if (!HttpUtil.isKeepAlive(r)) {
          keepAlive = false;
        }
        readKeepAliveTimeout(r);
        u.onUpstreamHead(r);
      }
      // 1xx informational heads (100, 103) are skipped, with the empty body that follows them
    }
    if (msg instanceof HttpContent c) {
      if (failed(u, c.decoderResult())) {
        c.release();
        return;
      }
      if (!headSeen) {
        c.release();
        return;
      }
      ByteBuf content = c.content();
      Buffer chunk = null;
      if (content.isReadable()) {
        chunk = BufferInternal.safeBuffer(content); // a heap copy; releases the pooled original
      } else {
        c.release();
      }
      boolean last = c instanceof LastHttpContent;
      if (paused || !held.isEmpty()) {
        if (chunk != null) {
          held.add(chunk);
        }
        if (last) {
          held.add(END);
        }
        if (!readingStopped) {
          readingStopped = true;
          channel.config().setAutoRead(false);
        }
        return;
      }
      if (chunk != null) {
        u.onUpstreamChunk(chunk);
      }
      if (last && user == u) {
        deliverEnd(u);
      }
    }
  }

  private void deliverEnd(UpstreamExchange u) {
    responseEnded = true;
    served++;
    if (!requestEnded || decoder.leftover() > 0) {
      // Answered before the whole request was sent, or sent more than its response: the next
      // response read on this connection could not be trusted to be the next request's.
      keepAlive = false;
    }
    u.onUpstreamEnd();
    settle();
  }

  /** Both ends are done: back to the pool if both sides allow it, else closed. */
  private void settle() {
    UpstreamExchange u = user;
    if (u == null) {
      return;
    }
    if (keepAlive && held.isEmpty() && channel.isActive()) {
      user = null;
      pool.giveBack(this, client);
    } else {
      detach();
      held.clear();
      channel.close();
    }
  }

  private void readKeepAliveTimeout(HttpResponse r) {
    String ka = r.headers().get(HttpHeaderNames.KEEP_ALIVE);
    if (ka == null) {
      return;
    }
    for (String part : ka.split(",", 8)) {
      String p = part.trim();
      if (p.regionMatches(true, 0, "timeout=", 0, 8)) {
        try {
          long seconds = Long.parseLong(p.substring(8).trim());
          // the upstream closes after that many idle seconds: stop using it a second before
          keepAliveNanos =
              Math.min(pool.keepAliveNanos(), Math.max(0, seconds - 1) * 1_000_000_000L);
        } catch (NumberFormatException e) {
          // ignored, as any malformed Keep-Alive parameter
        }
      }
    }
  }

  private boolean failed(UpstreamExchange u, DecoderResult result) {
    if (result.isFailure()) {
      fail(u, result.cause());
      return true;
    }
    return false;
  }

  private void fail(UpstreamExchange u, Throwable cause) {
    detach();
    held.clear();
    heldFailure = null;
    channel.close();
    u.onUpstreamFailure(cause);
  }

  /**
   * The connection closed or broke before the exchange took the whole response. Body pieces it
   * still holds back were sent before that, so they are delivered first: when the response's end is
   * among them the response is whole (a close-delimited body ends with the close) and nothing
   * failed; otherwise the failure follows the last piece. With nothing held it is reported now.
   */
  private void failAfterHeld(UpstreamExchange u, Throwable cause) {
    keepAlive = false;
    if (held.isEmpty()) {
      fail(u, cause);
    } else if (held.peekLast() != END && heldFailure == null) {
      heldFailure = cause;
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    UpstreamExchange u = user;
    if (u != null && channel.isWritable()) {
      u.onUpstreamWritable();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    inactive = true;
    UpstreamExchange u = user;
    if (u != null && !responseEnded) {
      failAfterHeld(u, new UpstreamClosedException(headSeen, served > 0));
    } else {
      detach();
    }
    if (pooled) {
      pool.closed(this);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    UpstreamExchange u = user;
    if (u != null && !responseEnded && heldFailure == null) {
      boolean reset = cause instanceof IOException && !(cause instanceof SSLException);
      // A reset before any response byte is the same event as a close (the keep-alive race).
      failAfterHeld(u, reset && !headSeen ? new UpstreamClosedException(false, served > 0) : cause);
      channel.close(); // nothing more is read from a broken connection
    } else {
      channel.close();
    }
  }

  /** The upstream closed the connection before the response was complete. */
  static final class UpstreamClosedException extends IOException {
    private static final long serialVersionUID = 1L;
    final boolean afterHead;
    final boolean reusedConnection;

    UpstreamClosedException(boolean afterHead, boolean reusedConnection) {
      super(
          afterHead
              ? "upstream closed the connection mid-response"
              : "upstream closed the connection before answering");
      this.afterHead = afterHead;
      this.reusedConnection = reusedConnection;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
}
