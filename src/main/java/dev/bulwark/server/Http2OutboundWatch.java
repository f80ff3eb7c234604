package dev.bulwark.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.util.ReferenceCountUtil;

/**
 * Reads the frames an HTTP/2 connection sends, between its codec and TLS: counts the bytes (the
 * allowance of WINDOW_UPDATE frames a client may send back), notes every stream reset, and turns
 * the codec's RST_STREAM(STREAM_CLOSED) for a frame on a stream that ended cleanly or was skipped
 * into the connection error RFC 9113 requires, and its RST_STREAM(PROTOCOL_ERROR) for HEADERS on a
 * half-closed stream into the STREAM_CLOSED the RFC names (Netty cannot tell those apart from a
 * stream it reset, whose frames may still be in flight; {@link Http2StreamHistory} can). Frame
 * boundaries are followed from the first write on; anything but bytes stops the judging. One per
 * connection, on its event loop.
 */
final class Http2OutboundWatch extends ChannelOutboundHandlerAdapter {
  private static final int HEADER = 9;
  private static final int RST_STREAM = 0x3;
  private static final int RST_STREAM_FRAME = HEADER + 4;

  private final Http2ConnectionHandler codec;
  private final ChannelHandlerContext codecContext;
  private final Http2StreamHistory history;

  private final byte[] header = new byte[HEADER];
  private int headerFill;
  private long payloadLeft;
  private boolean lost;
  private long sentBytes;

  Http2OutboundWatch(
      Http2ConnectionHandler codec,
      ChannelHandlerContext codecContext,
      Http2StreamHistory history) {
    this.codec = codec;
    this.codecContext = codecContext;
    this.history = history;
  }

  /** Bytes of HTTP/2 frames written to the connection since it was watched. */
  long sentBytes() {
    return sentBytes;
  }

  @Override
  @SuppressWarnings("FutureReturnValueIgnored") // the promise passed on carries the outcome
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf buf)) {
      lost = true;
      ctx.write(msg, promise);
      return;
    }
    int n = buf.readableBytes();
    sentBytes += n;
    if (!lost && headerFill == 0 && payloadLeft == 0 && n == RST_STREAM_FRAME) {
      int at = buf.readerIndex();
      if (buf.getUnsignedMedium(at) == 4 && buf.getUnsignedByte(at + 3) == RST_STREAM) {
        int stream = buf.getInt(at + 5) & 0x7fffffff;
        long code = buf.getUnsignedInt(at + HEADER);
        Http2Error error =
            code == Http2Error.STREAM_CLOSED.code()
                ? history.connectionErrorFor(codec.connection(), stream)
                : null;
        if (error != null) {
          ReferenceCountUtil.release(buf);
          promise.trySuccess();
          codec.onError(
              codecContext,
              false,
              Http2Exception.connectionError(
                  error, "frame on stream %d, which is closed or was never opened", stream));
          return;
        }
        if (code == Http2Error.PROTOCOL_ERROR.code()
            && history.isFrameOnHalfClosedStream(codec.connection(), stream)) {
          buf.setInt(at + HEADER, (int) Http2Error.STREAM_CLOSED.code());
        }
        history.reset(stream);
        ctx.write(msg, promise);
        return;
      }
    }
    if (!lost) {
      follow(buf);
    }
    ctx.write(msg, promise);
  }

  /** Moves past {@code buf}'s bytes frame by frame; notes the resets among them. */
  private void follow(ByteBuf buf) {
    int i = buf.readerIndex();
    int end = buf.writerIndex();
    while (i < end) {
      if (payloadLeft > 0) {
        int skip = (int) Math.min(payloadLeft, end - i);
        payloadLeft -= skip;
        i += skip;
        continue;
      }
      header[headerFill++] = buf.getByte(i++);
      if (headerFill == HEADER) {
        headerFill = 0;
        payloadLeft = ((header[0] & 0xffL) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff);
        if ((header[3] & 0xff) == RST_STREAM) {
          history.reset(
              ((header[5] & 0x7f) << 24)
                  | ((header[6] & 0xff) << 16)
                  | ((header[7] & 0xff) << 8)
                  | (header[8] & 0xff));
        }
      }
    }
  }
}
