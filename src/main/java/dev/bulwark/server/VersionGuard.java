package dev.bulwark.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Sits after the HTTP/1 decoder and settles the request line's protocol version before Vert.x sees
 * it (RFC 9112 §2.3, RFC 9110 §2.5): {@code HTTP/1.x} with a later minor version is served as
 * HTTP/1.1; another HTTP major version ({@code HTTP/2.0}, {@code HTTP/3.1}) fails with 505 and
 * anything that is not HTTP ({@code JUNK/1.0}) with 400, through the gateway's own invalid-request
 * answer (JSON, security headers, access log). The answer's status line is always {@code HTTP/1.1};
 * Vert.x alone would answer a bare 501 and echo the client's version.
 */
@ChannelHandler.Sharable
final class VersionGuard extends ChannelInboundHandlerAdapter {
  static final VersionGuard INSTANCE = new VersionGuard();

  private VersionGuard() {}

  /** The request line named a protocol or version the gateway does not speak. */
  static final class UnsupportedVersion extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    UnsupportedVersion(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }

    int status() {
      return status;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest r && r.decoderResult().isFailure()) {
      r.setProtocolVersion(HttpVersion.HTTP_1_1); // Netty's stand-in for an unreadable line is 1.0
    } else if (msg instanceof HttpRequest r) {
      HttpVersion v = r.protocolVersion();
      if (v != HttpVersion.HTTP_1_1 && v != HttpVersion.HTTP_1_0) {
        r.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (!"HTTP".equals(v.protocolName())) {
          r.setDecoderResult(
              DecoderResult.failure(new UnsupportedVersion(400, "not an HTTP request line")));
        } else if (v.majorVersion() != 1) {
          r.setDecoderResult(
              DecoderResult.failure(
                  new UnsupportedVersion(505, "HTTP version " + v.majorVersion() + " on HTTP/1")));
        }
      }
    }
    ctx.fireChannelRead(msg);
  }
}
