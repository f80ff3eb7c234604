package dev.bulwark.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import org.jspecify.annotations.Nullable;

/**
 * Remembers enough of an HTTP/2 connection's past streams to say which error a DATA or HEADERS
 * frame on a stream the codec no longer holds deserves (RFC 9113 §5.1, §5.1.1): a stream id the
 * client skipped is a connection error PROTOCOL_ERROR, a stream that ended cleanly a connection
 * error STREAM_CLOSED, and a stream either side reset only a stream error (its frames may have been
 * in flight). Netty answers all three with a stream error. Reset ids are kept for the last {@link
 * #RESETS} resets and skipped ranges for the first {@link #GAPS}; past those it defers to Netty.
 */
final class Http2StreamHistory extends Http2FrameListenerDecorator {
  static final int RESETS = 256;
  static final int GAPS = 16;

  private final int[] resets = new int[RESETS];
  private int resetCount;
  private int nextReset;

  /** The highest reset id that no longer fits in {@link #resets}: older ids are not judged. */
  private int resetFloor;

  private final int[] gaps = new int[2 * GAPS];
  private int gapCount;
  private int maxOpened;

  /** The stream whose header block the listener is being given, or 0. */
  private int delivering;

  Http2StreamHistory(Http2FrameListener listener) {
    super(listener);
  }

  @Override
  public void onHeadersRead(
      ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean end)
      throws Http2Exception {
    opened(streamId);
    delivering = streamId;
    try {
      super.onHeadersRead(ctx, streamId, headers, padding, end);
    } finally {
      delivering = 0;
    }
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
    opened(streamId);
    super.onHeadersRead(ctx, streamId, headers, streamDependency, weight, exclusive, padding, end);
  }

  @Override
  public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode)
      throws Http2Exception {
    reset(streamId);
    super.onRstStreamRead(ctx, streamId, errorCode);
  }

  /** Notes a stream the client opened; ids it jumped over are never valid afterwards. */
  void opened(int id) {
    if (id <= maxOpened) {
      return; // trailers, or a stream already seen
    }
    int firstSkipped = maxOpened == 0 ? 1 : maxOpened + 2;
    if (id > firstSkipped) {
      if (gapCount < GAPS) {
        gaps[2 * gapCount] = firstSkipped;
        gaps[2 * gapCount + 1] = id - 2;
        gapCount++;
      }
    }
    maxOpened = id;
  }

  /** Notes a stream reset by either side: frames that were in flight on it are not an error. */
  void reset(int id) {
    if (resetCount == RESETS) {
      resetFloor = Math.max(resetFloor, resets[nextReset]); // the oldest one is forgotten
    } else {
      resetCount++;
    }
    resets[nextReset] = id;
    nextReset = (nextReset + 1) % RESETS;
  }

  private boolean wasReset(int id) {
    if (id <= resetFloor) {
      return true; // perhaps forgotten: given the benefit of the doubt
    }
    for (int i = 0; i < resetCount; i++) {
      if (resets[i] == id) {
        return true;
      }
    }
    return false;
  }

  private boolean wasSkipped(int id) {
    for (int i = 0; i < gapCount; i++) {
      if (id >= gaps[2 * i] && id <= gaps[2 * i + 1]) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the codec's RST_STREAM(PROTOCOL_ERROR) on stream {@code id} answers a frame on a stream
   * the client had ended (half-closed remote), which RFC 9113 section 5.1 makes STREAM_CLOSED:
   * Netty calls a second header block there "too many headers". A reset written while the stream's
   * own request head is being handled (Vert.x refusing a malformed request) is not one.
   */
  boolean isFrameOnHalfClosedStream(Http2Connection connection, int id) {
    if (id == delivering) {
      return false;
    }
    Http2Stream live = connection.stream(id);
    return live != null && live.state() == Http2Stream.State.HALF_CLOSED_REMOTE;
  }

  /**
   * The connection error a DATA or HEADERS frame on client stream {@code id} deserves when the
   * codec answered it with RST_STREAM(STREAM_CLOSED), or null when that stream error is right.
   */
  @Nullable Http2Error connectionErrorFor(Http2Connection connection, int id) {
    if ((id & 1) == 0 || connection.goAwaySent() || id > connection.remote().lastStreamCreated()) {
      return null;
    }
    Http2Stream live = connection.stream(id);
    if (live != null && live.state() != Http2Stream.State.CLOSED) {
      return null; // half-closed (remote): a stream error, as RFC 9113 section 5.1 says
    }
    if (wasReset(id)) {
      return null;
    }
    if (id > maxOpened) {
      return null; // created by the codec but refused before the listener saw it: it was reset
    }
    // A skipped id was implicitly closed while idle; past the remembered gaps it is told apart
    // from a closed one no more, but both are connection errors.
    return wasSkipped(id) ? Http2Error.PROTOCOL_ERROR : Http2Error.STREAM_CLOSED;
  }
}
