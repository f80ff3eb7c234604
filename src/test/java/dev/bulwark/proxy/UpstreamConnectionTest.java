package dev.bulwark.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * One upstream connection on an embedded channel: what the upstream sent before it closed the
 * connection is delivered in order, even while the exchange holds the body back, and a connection
 * that broke mid-body is reported as broken after the bytes that did arrive.
 */
class UpstreamConnectionTest {
  /** An exchange that holds the body back from the head on, as a slow client makes it do. */
  static final class HoldingExchange implements UpstreamExchange {
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    @Nullable HttpResponse head;
    boolean ended;
    @Nullable Throwable failure;
    @Nullable UpstreamConnection connection;

    @Override
    public void onConnection(UpstreamConnection c) {
      connection = c;
    }

    @Override
    public void onConnectFailure(Throwable cause) {
      failure = cause;
    }

    @Override
    public void onUpstreamHead(HttpResponse h) {
      head = h;
      UpstreamConnection c = connection;
      if (c != null) {
        c.pause(this);
      }
    }

    @Override
    public void onUpstreamChunk(Buffer chunk) {
      body.writeBytes(chunk.getBytes());
    }

    @Override
    public void onUpstreamEnd() {
      ended = true;
    }

    @Override
    public void onUpstreamFailure(Throwable cause) {
      failure = cause;
    }

    @Override
    public void onUpstreamWritable() {}
  }

  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final HoldingExchange exchange = new HoldingExchange();
  private final UpstreamConnection connection;

  UpstreamConnectionTest() {
    UpstreamPool pool =
        new UpstreamPool(
            new Bootstrap(), channel.eventLoop(), new InetSocketAddress("127.0.0.1", 9), null, 1);
    UpstreamCodec.Decoder decoder = new UpstreamCodec.Decoder(8 * 1024, 64 * 1024);
    connection = new UpstreamConnection(pool, channel, decoder);
    channel
        .pipeline()
        .addLast(
            new ChannelOutboundHandlerAdapter() {
              @Override
              public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (upstreamGone) {
                  ReferenceCountUtil.release(msg);
                  promise.setFailure(new IOException("Broken pipe"));
                } else {
                  ctx.write(msg, promise);
                }
              }
            },
            new UpstreamCodec.Encoder(),
            connection.idleGuard,
            decoder,
            connection);
    connection.pooled();
    connection.assign(exchange, "client");
    exchange.onConnection(connection);
  }

  private boolean sentRequest;

  /** Makes every later write fail, as on a connection the upstream closed or reset. */
  private boolean upstreamGone;

  private void gatewaySends(HttpMethod method) {
    connection.writeHead(
        exchange,
        new DefaultHttpRequest(
            HttpVersion.HTTP_1_1, method, "/file", HeadersMultiMap.httpHeaders()));
    if (method == HttpMethod.GET) {
      connection.end(exchange, null);
    } else {
      connection.flush(exchange);
    }
  }

  private void upstreamSends(String s) {
    if (exchange.head == null && !sentRequest) {
      sentRequest = true;
      gatewaySends(HttpMethod.GET);
    }
    channel.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1));
  }

  @Test
  void aCloseDelimitedBodyHeldBackWhenTheUpstreamClosesIsDeliveredWhole() {
    upstreamSends("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n");
    upstreamSends("first part,");
    upstreamSends("second part");
    channel.close(); // the upstream's close ends the body: the decoder reports its end
    assertThat(exchange.body.size()).as("nothing delivered while held back").isZero();

    connection.resume(exchange);

    assertThat(exchange.failure).isNull();
    assertThat(exchange.body.toString(StandardCharsets.ISO_8859_1))
        .isEqualTo("first part,second part");
    assertThat(exchange.ended).isTrue();
  }

  @Test
  void aBodyWithItsEndHeldBackSurvivesTheUpstreamClosingAfterIt() {
    upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
    channel.close();

    connection.resume(exchange);

    assertThat(exchange.failure).isNull();
    assertThat(exchange.body.toString(StandardCharsets.ISO_8859_1)).isEqualTo("hello");
    assertThat(exchange.ended).isTrue();
  }

  @Test
  void aResetMidBodyIsReportedAsAFailureAfterTheBytesThatArrived() {
    upstreamSends("HTTP/1.0 200 OK\r\n\r\n");
    upstreamSends("partial");
    channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
    channel.close(); // the decoder would take this close for the body's end

    connection.resume(exchange);

    assertThat(exchange.body.toString(StandardCharsets.ISO_8859_1)).isEqualTo("partial");
    assertThat(exchange.ended).as("a reset is never a clean end").isFalse();
    assertThat(exchange.failure).isInstanceOf(IOException.class);
  }

  @Test
  void aDeclaredLengthCutShortByACloseIsAFailureAfterTheBytesThatArrived() {
    upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
    upstreamSends("only some");
    channel.close();

    connection.resume(exchange);

    assertThat(exchange.body.toString(StandardCharsets.ISO_8859_1)).isEqualTo("only some");
    assertThat(exchange.ended).isFalse();
    assertThat(exchange.failure).isNotNull();
  }

  @Test
  void aResetBeforeAnythingIsHeldFailsAtOnce() {
    upstreamSends("HTTP/1.0 200 OK\r\n\r\n");
    connection.resume(exchange);
    upstreamSends("partial");
    channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
    channel.close();

    assertThat(exchange.body.toString(StandardCharsets.ISO_8859_1)).isEqualTo("partial");
    assertThat(exchange.ended).isFalse();
    assertThat(exchange.failure).isInstanceOf(IOException.class);
  }

  @Test
  void anAnswerAfterAFailedBodyWriteIsStillDelivered() {
    sentRequest = true;
    gatewaySends(HttpMethod.POST);
    upstreamGone = true; // the upstream answers without reading the body, and closes
    connection.write(exchange, Buffer.buffer("part of the body"));
    connection.write(exchange, Buffer.buffer("more of it"));
    assertThat(exchange.failure).as("a failed body write fails nothing yet").isNull();

    upstreamSends("HTTP/1.1 401 Unauthorized\r\nContent-Length: 4\r\n\r\nnope");
    connection.resume(exchange);
    connection.end(exchange, null);
    channel.close();

    HttpResponse head = exchange.head;
    assertThat(head).isNotNull();
    assertThat(head == null ? 0 : head.status().code()).isEqualTo(401);
    assertThat(exchange.body.toString(StandardCharsets.ISO_8859_1)).isEqualTo("nope");
    assertThat(exchange.ended).isTrue();
    assertThat(exchange.failure).isNull();
  }

  @Test
  void aFailedBodyWriteWithoutAnAnswerIsAFailureWhenTheConnectionCloses() {
    sentRequest = true;
    gatewaySends(HttpMethod.POST);
    upstreamGone = true;
    connection.write(exchange, Buffer.buffer("part of the body"));
    channel.close();

    assertThat(exchange.failure).isInstanceOf(UpstreamConnection.UpstreamClosedException.class);
    assertThat(exchange.head).isNull();
  }
}
