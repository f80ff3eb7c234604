package dev.bulwark.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2FrameListener;

/**
 * Puts the gateway's HTTP/2 checks around a new connection's codec, once its client's first
 * SETTINGS arrived: {@link Http2FloodLimit}, {@link Http2StreamHistory} and {@link Http2HostHeader}
 * in front of the frame listener, {@link Http2OutboundWatch} between the codec and TLS.
 */
final class Http2ConnectionChecks {
  private Http2ConnectionChecks() {}

  static void install(Channel channel) {
    ChannelPipeline pipeline = channel.pipeline();
    Http2ConnectionHandler codec = pipeline.get(Http2ConnectionHandler.class);
    ChannelHandlerContext codecContext = codec == null ? null : pipeline.context(codec);
    if (codec == null || codecContext == null) {
      return;
    }
    Http2ConnectionDecoder decoder = codec.decoder();
    Http2FrameListener current = decoder.frameListener();
    if (current == null || current instanceof Http2FloodLimit) {
      return;
    }
    Http2StreamHistory history = new Http2StreamHistory(new Http2HostHeader(current));
    Http2OutboundWatch watch = new Http2OutboundWatch(codec, codecContext, history);
    pipeline.addBefore(codecContext.name(), "bulwark-h2-out", watch);
    decoder.frameListener(new Http2FloodLimit(history, watch::sentBytes, System::nanoTime));
  }
}
