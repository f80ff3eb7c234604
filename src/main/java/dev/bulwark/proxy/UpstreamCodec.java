package dev.bulwark.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.vertx.core.http.impl.headers.HeadersMultiMap;

/**
 * The HTTP/1.1 codec of an upstream connection. Headers on both sides are Vert.x {@link
 * HeadersMultiMap}s (validated on decode), so a request's headers are written straight from the map
 * the gateway filled and a response's headers are read as a {@code MultiMap} without a copy. One
 * request is in flight per connection (no pipelining), so the decoder knows whether the response to
 * read answers a HEAD request, whose body is always empty.
 */
final class UpstreamCodec {
  private UpstreamCodec() {}

  /** Request heads and bodies; headers held in a {@link HeadersMultiMap} skip Netty's iterator. */
  static final class Encoder extends HttpRequestEncoder {
    @Override
    protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
      if (headers instanceof HeadersMultiMap h) {
        h.encode(buf, false);
      } else {
        super.encodeHeaders(headers, buf);
      }
    }
  }

  /** Response decoder that knows when the response answers a HEAD request. */
  static final class Decoder extends HttpResponseDecoder {
    private static final HttpHeadersFactory HEADERS =
        new HttpHeadersFactory() {
          @Override
          public HttpHeaders newHeaders() {
            return HeadersMultiMap.httpHeaders();
          }

          @Override
          public HttpHeaders newEmptyHeaders() {
            return HeadersMultiMap.httpHeaders();
          }
        };

    private boolean answersHead;

    Decoder(int maxInitialLineLength, int maxHeaderSize) {
      super(
          new HttpDecoderConfig()
              .setMaxInitialLineLength(maxInitialLineLength)
              .setMaxHeaderSize(maxHeaderSize)
              .setMaxChunkSize(64 * 1024)
              .setHeadersFactory(HEADERS)
              .setTrailersFactory(HEADERS));
    }

    /**
     * Bytes received and not yet decoded: after a complete response, more than the upstream owed.
     */
    int leftover() {
      return actualReadableBytes();
    }

    /** Tells the decoder whether the next response answers a HEAD request. */
    void expect(boolean head) {
      answersHead = head;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
      if (answersHead && msg instanceof HttpResponse r && r.status().code() >= 200) {
        return true;
      }
      return super.isContentAlwaysEmpty(msg);
    }
  }
}
