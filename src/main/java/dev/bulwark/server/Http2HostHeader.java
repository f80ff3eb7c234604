package dev.bulwark.server;

import dev.bulwark.routing.RequestHost;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.List;

/**
 * Prepares an HTTP/2 request's {@code Host} headers for the request gate, which decides about them
 * ({@link RequestAuthority}), before Vert.x sees them: Vert.x resets the stream without an answer
 * when {@code Host} and {@code :authority} differ even in case, and keeps only the first of several
 * {@code Host} headers when there is no {@code :authority}. A {@code Host} naming the same host as
 * {@code :authority} is dropped (the authority governs); any other mix is left as repeated {@code
 * Host} headers beside an {@code :authority} Vert.x accepts, so the gate answers 400 with its JSON
 * body. Requests with {@code :authority} alone (every browser) pay one lookup.
 */
final class Http2HostHeader extends Http2FrameListenerDecorator {
  Http2HostHeader(Http2FrameListener listener) {
    super(listener);
  }

  @Override
  public void onHeadersRead(
      ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean end)
      throws Http2Exception {
    prepare(headers);
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
    prepare(headers);
    super.onHeadersRead(ctx, streamId, headers, streamDependency, weight, exclusive, padding, end);
  }

  static void prepare(Http2Headers headers) {
    if (headers.method() == null || !headers.contains(HttpHeaderNames.HOST)) {
      return;
    }
    List<CharSequence> hosts = headers.getAll(HttpHeaderNames.HOST);
    CharSequence authority = headers.authority();
    if (authority == null) {
      if (hosts.size() > 1) {
        headers.authority(hosts.get(0)); // the gate then sees the repeat and refuses it
      }
      return;
    }
    if (hosts.size() == 1
        && RequestAuthority.sameHost(
            RequestHost.parse(authority.toString()), RequestHost.parse(hosts.get(0).toString()))) {
      headers.remove(HttpHeaderNames.HOST);
      return;
    }
    headers.remove(HttpHeaderNames.HOST);
    headers.add(HttpHeaderNames.HOST, authority);
    for (CharSequence h : hosts) {
      headers.add(HttpHeaderNames.HOST, h);
    }
  }
}
