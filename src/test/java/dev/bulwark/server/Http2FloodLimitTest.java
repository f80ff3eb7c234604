package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import org.junit.jupiter.api.Test;

/**
 * The WINDOW_UPDATE allowance grows with what the gateway sent (a client acknowledging a large
 * download is not a flood), the PRIORITY allowance with the streams opened, and both start again
 * with each window.
 */
class Http2FloodLimitTest {
  private long now;
  private long sent;
  private final Http2FloodLimit limit =
      new Http2FloodLimit(new Http2FrameAdapter(), () -> sent, () -> now);
  private final ChannelHandlerContext ctx =
      new EmbeddedChannel(new ChannelInboundHandlerAdapter()).pipeline().firstContext();

  private void windowUpdates(int n) throws Http2Exception {
    for (int i = 0; i < n; i++) {
      limit.onWindowUpdateRead(ctx, 1, 16_384);
    }
  }

  @Test
  void windowUpdatesForBytesSentAreNoFlood() throws Exception {
    sent = 64L * 1024 * 1024; // a 64 MiB download acknowledged frame by frame
    int earned = (int) (sent / Http2FloodLimit.BYTES_PER_WINDOW_UPDATE);
    windowUpdates(Http2FloodLimit.MAX_WINDOW_UPDATES + earned);
    assertThatThrownBy(() -> windowUpdates(1))
        .isInstanceOfSatisfying(
            Http2Exception.class,
            e -> assertThat(e.error()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM));
  }

  @Test
  void windowUpdatesWithNothingSentAreAFloodPastTheLimit() throws Exception {
    windowUpdates(Http2FloodLimit.MAX_WINDOW_UPDATES);
    assertThatThrownBy(() -> windowUpdates(1)).isInstanceOf(Http2Exception.class);
  }

  @Test
  void aNewWindowStartsTheCountAgain() throws Exception {
    windowUpdates(Http2FloodLimit.MAX_WINDOW_UPDATES);
    now += (Http2FloodLimit.WINDOW_SECONDS + 1) * 1_000_000_000L;
    windowUpdates(Http2FloodLimit.MAX_WINDOW_UPDATES);
  }

  @Test
  void prioritiesForTheStreamsOpenedAreNoFlood() throws Exception {
    int streams = 1_000;
    for (int i = 0; i < streams; i++) {
      limit.onHeadersRead(ctx, 1 + 2 * i, new DefaultHttp2Headers(), 0, true);
    }
    int allowed = Http2FloodLimit.MAX_PRIORITY + Http2FloodLimit.PRIORITY_PER_STREAM * streams;
    for (int i = 0; i < allowed; i++) {
      limit.onPriorityRead(ctx, 3, 0, (short) 16, false);
    }
    assertThatThrownBy(() -> limit.onPriorityRead(ctx, 3, 0, (short) 16, false))
        .isInstanceOf(Http2Exception.class);
  }
}
