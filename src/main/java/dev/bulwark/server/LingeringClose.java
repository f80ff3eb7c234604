package dev.bulwark.server;

import dev.bulwark.exchange.VertxRequest;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.Http1xServerConnection;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Closes an HTTP/1 connection after an answer sent while the client was still sending its body (a
 * 413 during an upload, an upstream's early 401), so that the client reads the answer instead of a
 * reset: closing a socket with unread bytes makes the kernel send RST and drop what was not yet
 * delivered. Instead the gateway ends its side (TLS {@code close_notify}, then FIN) and reads and
 * discards what the client still sends until it closes, falls silent for {@link #QUIET_MILLIS}, or
 * {@link #MAX_MILLIS} have passed (nginx's {@code lingering_close}). Nothing read then is decoded.
 */
final class LingeringClose {
  /** The longest a connection lingers. */
  static final long MAX_MILLIS = 10_000;

  /** A client that sends nothing for this long has stopped: the connection is closed. */
  static final long QUIET_MILLIS = 2_000;

  private static final String NAME = "bulwark-linger";

  private LingeringClose() {}

  /**
   * Closes the request's connection: at once when it has no body or its body was read to the end
   * (and on HTTP/2, whose streams end on their own), else lingering.
   */
  @SuppressWarnings("FutureReturnValueIgnored") // a shutdown that fails finds the channel gone
  static void close(HttpServerRequest req) {
    HttpConnection conn = req.connection();
    long framing = VertxRequest.framing(req);
    if (req.isEnded()
        || framing == VertxRequest.NO_BODY
        || framing == 0
        || !(conn instanceof Http1xServerConnection http1)
        || !(http1.channel() instanceof DuplexChannel ch)
        || !ch.isActive()) {
      conn.close();
      return;
    }
    ChannelPipeline pipeline = ch.pipeline();
    if (pipeline.get(NAME) != null) {
      return; // already lingering
    }
    Drain drain = new Drain();
    // First in the pipeline: raw bytes are discarded before TLS or HTTP sees them.
    pipeline.addFirst(NAME, drain);
    drain.arm(ch);
    SslHandler tls = pipeline.get(SslHandler.class);
    ChannelFuture ended = tls == null ? ch.newSucceededFuture() : tls.closeOutbound();
    ended.addListener(f -> ch.shutdownOutput());
    ch.config().setAutoRead(true);
    ch.read();
  }

  /** Discards every byte; closes the channel at the client's end, its silence or the deadline. */
  private static final class Drain extends ChannelInboundHandlerAdapter {
    private final long startNanos = System.nanoTime();
    private long lastReadNanos = startNanos;
    private @Nullable ScheduledFuture<?> timer;

    @SuppressWarnings("FutureReturnValueIgnored") // closing: nothing is left to do on failure
    void arm(Channel ch) {
      long now = System.nanoTime();
      long quietEnds = lastReadNanos + TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS);
      long maxEnds = startNanos + TimeUnit.MILLISECONDS.toNanos(MAX_MILLIS);
      long due = Math.min(quietEnds, maxEnds);
      if (due <= now) {
        ch.close();
        return;
      }
      timer = ch.eventLoop().schedule(() -> arm(ch), due - now, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
      lastReadNanos = System.nanoTime();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      // nothing was passed on, so nothing downstream has a read to complete
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // closing: nothing is left to do on failure
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // a reset while lingering is the client leaving: not worth a log line
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      ScheduledFuture<?> t = timer;
      if (t != null) {
        t.cancel(false);
      }
      ctx.fireChannelInactive();
    }
  }
}
