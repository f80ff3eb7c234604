package dev.bulwark.pipeline;

import dev.bulwark.exchange.Exchange;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;

/**
 * What the live pipeline hands back to the server that received the exchange: the bookkeeping of
 * its connection, and the work the core leaves to the policies it does not know by name (ban
 * strikes, the redaction of a masked upstream error's body).
 */
public interface ServerHooks {
  /**
   * An HTTP/1 response about to be written closes {@code connection}: requests pipelined behind it
   * must never run.
   */
  void closingAfterResponse(HttpConnection connection);

  /**
   * Closes the HTTP/1 connection of {@code request} once its answer has been written; a request
   * body still arriving is read and dropped first, so that the client reads the answer.
   */
  void closeAfterAnswer(HttpServerRequest request);

  /**
   * Logs the body of an upstream error that the errors policy masked: at most {@code keep} of its
   * bytes, redacted, with the route's name and the upstream's status.
   */
  void maskedUpstreamError(Exchange exchange, String route, int status, byte[] body, int keep);

  /**
   * The exchange has been counted and logged: count its status toward ban strikes and release its
   * connection's slot. Runs once per exchange, before its connection is closed when it must be.
   */
  void ended(Exchange exchange);
}
