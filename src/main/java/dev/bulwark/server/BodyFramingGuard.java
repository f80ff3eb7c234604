package dev.bulwark.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.net.impl.VertxHandler;

/**
 * Sits after the HTTP/1 decoder and turns a request body the decoder could not read (a chunk size
 * that is not hex or too large, a bad chunk extension or line end, an oversized trailer) into a
 * failure of that request rather than of its connection. Vert.x alone closes the connection at
 * once, so the client got no answer; here the request's exception handler receives a {@link
 * MalformedBody} (a {@link DecoderException}) and whoever reads the body, or the gateway while no
 * one does yet, answers {@code 400} with the JSON error, then closes. The decoder reads nothing
 * more after such an error, so no byte that follows is taken for a request.
 */
@ChannelHandler.Sharable
final class BodyFramingGuard extends ChannelInboundHandlerAdapter {
  static final BodyFramingGuard INSTANCE = new BodyFramingGuard();

  private BodyFramingGuard() {}

  /** The request body could not be decoded; what the decoder said is the cause. */
  static final class MalformedBody extends DecoderException {
    private static final long serialVersionUID = 1L;

    MalformedBody(Throwable cause) {
      super("malformed request body", cause);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpContent c
        && !(msg instanceof HttpRequest)
        && c.decoderResult().isFailure()) {
      VertxHandler<?> vertx = ctx.pipeline().get(VertxHandler.class);
      if (vertx != null && vertx.getConnection() instanceof Http1xServerConnection http1) {
        Throwable cause = c.decoderResult().cause();
        ReferenceCountUtil.release(msg);
        http1.handleException(new MalformedBody(cause));
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }
}
