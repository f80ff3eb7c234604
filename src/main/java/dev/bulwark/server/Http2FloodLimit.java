package dev.bulwark.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * Ends an HTTP/2 connection whose client sends PING or SETTINGS frames faster than any client has
 * cause to (CVE-2019-9512 and -9515 made them cost the server an answer each): more than {@link
 * #MAX_PINGS} PINGs or {@link #MAX_SETTINGS} SETTINGS within {@link #WINDOW_SECONDS} seconds gets
 * {@code GOAWAY(ENHANCE_YOUR_CALM)} and the connection is closed. Netty's own limits cover the
 * rest: control-frame answers the client does not read (at most 10,000 queued), empty DATA frames
 * (2 in a row) and stream resets (Vert.x: 200 in 30 seconds). One per connection, on its event
 * loop.
 */
final class Http2FloodLimit extends Http2FrameListenerDecorator {
  /** PINGs a client may send per window: keep-alives and round-trip probes need a few a second. */
  static final int MAX_PINGS = 500;

  /** SETTINGS a client may send per window: one at the start, rarely another. */
  static final int MAX_SETTINGS = 100;

  static final long WINDOW_SECONDS = 10;

  private static final long WINDOW_NANOS = WINDOW_SECONDS * 1_000_000_000L;

  private long windowStartNanos = System.nanoTime();
  private int pings;
  private int settings;

  private Http2FloodLimit(Http2FrameListener listener) {
    super(listener);
  }

  /** Puts the limit in front of the frame listener of an HTTP/2 connection's channel. */
  static void install(Channel channel) {
    Http2ConnectionHandler handler = channel.pipeline().get(Http2ConnectionHandler.class);
    if (handler == null) {
      return;
    }
    Http2ConnectionDecoder decoder = handler.decoder();
    Http2FrameListener current = decoder.frameListener();
    if (current != null && !(current instanceof Http2FloodLimit)) {
      decoder.frameListener(new Http2FloodLimit(current));
    }
  }

  @Override
  public void onPingRead(ChannelHandlerContext ctx, long data) throws Http2Exception {
    count(true);
    super.onPingRead(ctx, data);
  }

  @Override
  public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings s) throws Http2Exception {
    count(false);
    super.onSettingsRead(ctx, s);
  }

  private void count(boolean ping) throws Http2Exception {
    long now = System.nanoTime();
    if (now - windowStartNanos > WINDOW_NANOS) {
      windowStartNanos = now;
      pings = 0;
      settings = 0;
    }
    if (ping ? ++pings > MAX_PINGS : ++settings > MAX_SETTINGS) {
      throw Http2Exception.connectionError(
          Http2Error.ENHANCE_YOUR_CALM,
          "%s flood: more than %d in %d seconds",
          ping ? "PING" : "SETTINGS",
          ping ? MAX_PINGS : MAX_SETTINGS,
          WINDOW_SECONDS);
    }
  }
}
