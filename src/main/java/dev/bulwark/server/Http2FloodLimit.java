package dev.bulwark.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.util.function.LongSupplier;

/**
 * Ends an HTTP/2 connection whose client sends control frames faster than any client has cause to
 * (CVE-2019-9512, -9513 and -9515: each costs the server an answer or a reshuffle, and none shows
 * up in a request limit): within {@link #WINDOW_SECONDS} seconds, more than {@link #MAX_PINGS}
 * PINGs, {@link #MAX_SETTINGS} SETTINGS, {@link #MAX_PRIORITY} PRIORITY frames plus {@link
 * #PRIORITY_PER_STREAM} per stream opened, or {@link #MAX_WINDOW_UPDATES} WINDOW_UPDATE frames plus
 * one per {@link #BYTES_PER_WINDOW_UPDATE} bytes the gateway sent gets {@code
 * GOAWAY(ENHANCE_YOUR_CALM)} and the connection is closed. Netty's own limits cover the rest:
 * control-frame answers the client does not read (at most 10,000 queued), empty DATA frames (2 in a
 * row) and stream resets (Vert.x: 200 in 30 seconds, either way). One per connection, on its event
 * loop.
 */
final class Http2FloodLimit extends Http2FrameListenerDecorator {
  /** PINGs a client may send per window: keep-alives and round-trip probes need a few a second. */
  static final int MAX_PINGS = 500;

  /** SETTINGS a client may send per window: one at the start, rarely another. */
  static final int MAX_SETTINGS = 100;

  /** PRIORITY frames a client may send per window besides those for its streams. */
  static final int MAX_PRIORITY = 1_000;

  static final int PRIORITY_PER_STREAM = 2;

  /** WINDOW_UPDATE frames a client may send per window besides those for what it received. */
  static final int MAX_WINDOW_UPDATES = 2_000;

  /**
   * Bytes sent that earn a client one more WINDOW_UPDATE: clients acknowledge every 8 KiB or more
   * (stream and connection each), so this is four times what the greediest needs.
   */
  static final int BYTES_PER_WINDOW_UPDATE = 1_024;

  static final long WINDOW_SECONDS = 10;

  private static final long WINDOW_NANOS = WINDOW_SECONDS * 1_000_000_000L;

  private final LongSupplier sentBytes;
  private final LongSupplier clock;
  private long windowStartNanos;
  private long sentAtWindowStart;
  private int pings;
  private int settings;
  private int priorities;
  private int streams;
  private int windowUpdates;

  Http2FloodLimit(Http2FrameListener listener, LongSupplier sentBytes, LongSupplier clock) {
    super(listener);
    this.sentBytes = sentBytes;
    this.clock = clock;
    this.windowStartNanos = clock.getAsLong();
    this.sentAtWindowStart = sentBytes.getAsLong();
  }

  @Override
  public void onPingRead(ChannelHandlerContext ctx, long data) throws Http2Exception {
    newWindowIfDue();
    if (++pings > MAX_PINGS) {
      throw flood("PING", MAX_PINGS);
    }
    super.onPingRead(ctx, data);
  }

  @Override
  public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings s) throws Http2Exception {
    newWindowIfDue();
    if (++settings > MAX_SETTINGS) {
      throw flood("SETTINGS", MAX_SETTINGS);
    }
    super.onSettingsRead(ctx, s);
  }

  @Override
  public void onPriorityRead(
      ChannelHandlerContext ctx,
      int streamId,
      int streamDependency,
      short weight,
      boolean exclusive)
      throws Http2Exception {
    newWindowIfDue();
    int allowed = MAX_PRIORITY + PRIORITY_PER_STREAM * streams;
    if (++priorities > allowed) {
      throw flood("PRIORITY", allowed);
    }
    super.onPriorityRead(ctx, streamId, streamDependency, weight, exclusive);
  }

  @Override
  public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int increment)
      throws Http2Exception {
    newWindowIfDue();
    if (++windowUpdates > MAX_WINDOW_UPDATES) {
      long earned = (sentBytes.getAsLong() - sentAtWindowStart) / BYTES_PER_WINDOW_UPDATE;
      long allowed = MAX_WINDOW_UPDATES + earned;
      if (windowUpdates > allowed) {
        throw flood("WINDOW_UPDATE", allowed);
      }
    }
    super.onWindowUpdateRead(ctx, streamId, increment);
  }

  @Override
  public void onHeadersRead(
      ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean end)
      throws Http2Exception {
    streams++;
    super.onHeadersRead(ctx, streamId, headers, padding, end);
  }

  @Override
  public void onHeadersRead(
      ChannelHandlerContext ctx,
      int streamId,
      Http2Headers headers,
      int streamDependency,
      short weight,
      boolean exclusive,
      int padding,
      boolean end)
      throws Http2Exception {
    streams++;
    super.onHeadersRead(ctx, streamId, headers, streamDependency, weight, exclusive, padding, end);
  }

  private void newWindowIfDue() {
    long now = clock.getAsLong();
    if (now - windowStartNanos > WINDOW_NANOS) {
      windowStartNanos = now;
      sentAtWindowStart = sentBytes.getAsLong();
      pings = 0;
      settings = 0;
      priorities = 0;
      streams = 0;
      windowUpdates = 0;
    }
  }

  private static Http2Exception flood(String frame, long allowed) {
    return Http2Exception.connectionError(
        Http2Error.ENHANCE_YOUR_CALM,
        "%s flood: more than %d in %d seconds",
        frame,
        allowed,
        WINDOW_SECONDS);
  }
}
