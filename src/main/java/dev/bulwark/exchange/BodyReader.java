package dev.bulwark.exchange;

/**
 * Where a request body read whole by {@link RequestView#readBody} goes: the exchange counts its
 * bytes as they arrive, then receives either the body or the refusal, exactly once, on its own
 * event loop.
 */
public interface BodyReader {
  /** Returns whether the body is still wanted (false once the exchange has been answered). */
  boolean wanted();

  /** Counts {@code bytes} more bytes received from the client. */
  void received(int bytes);

  /** Receives the whole body. */
  void body(byte[] body);

  /**
   * Receives the refusal: {@link Denial#BODY_TOO_LARGE} over the limit, {@link Denial#BAD_FRAMING}
   * when the client broke the body off or framed it wrongly.
   */
  void refused(Denial denial);
}
