package dev.bulwark.exchange;

import io.vertx.core.buffer.Buffer;

/**
 * Sees the response an exchange sends, as its client receives it (after every response stage): the
 * head, the body in order, whether the body was produced whole, and the end of the exchange. A
 * policy that keeps responses (idempotency) registers one with {@link
 * Exchange#recordResponse(ResponseRecorder)} on the way in. Every call comes on the exchange's
 * event loop, and {@link #ended()} exactly once per exchange that registered one, whether or not a
 * response was sent.
 */
public interface ResponseRecorder {
  /**
   * The head about to be sent: its status, its headers, and whether the upstream made the response
   * (false for the gateway's own answers: its errors, upstream failures).
   */
  void head(int status, HeaderMap headers, boolean fromUpstream);

  /** The next piece of the body, as sent. */
  void body(Buffer chunk);

  /**
   * The whole body was produced: the gateway wrote it, or the upstream ended it (even if the client
   * then left before taking all of it).
   */
  void complete();

  /** The exchange is over; a response not {@link #complete() completed} by now never will be. */
  void ended();
}
