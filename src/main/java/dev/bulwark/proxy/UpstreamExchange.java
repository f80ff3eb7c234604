package dev.bulwark.proxy;

import io.netty.handler.codec.http.HttpResponse;
import io.vertx.core.buffer.Buffer;

/**
 * What an upstream connection reports to the exchange that holds it, on the connection's event
 * loop. After {@link #onUpstreamEnd} or {@link #onUpstreamFailure} nothing more is reported.
 */
interface UpstreamExchange {
  /** The pool handed over a connection: write the request on it. */
  void onConnection(UpstreamConnection connection);

  /** No connection could be had (refused, timed out, TLS failed, pool saturated). */
  void onConnectFailure(Throwable cause);

  /** The final (non-1xx) response head arrived; its headers are a Vert.x {@code MultiMap}. */
  void onUpstreamHead(HttpResponse head);

  /** A piece of the response body (a heap copy the exchange owns). */
  void onUpstreamChunk(Buffer chunk);

  /** The response body is complete. */
  void onUpstreamEnd();

  /** The connection broke, or the upstream sent what is not a valid HTTP/1.1 response. */
  void onUpstreamFailure(Throwable cause);

  /** The connection can take more of the request body again. */
  void onUpstreamWritable();
}
