package dev.bulwark.exchange;

/**
 * Moves an exchange along its route's stages; implemented by the stage pipeline ({@code
 * pipeline/StagePipeline}, live or offline), and by the fake exchange of the tests.
 */
public interface ExchangeDriver {
  /** Runs the next stage, or forwards upstream when every stage has let the request through. */
  void proceed(Exchange exchange);

  /** Ends the exchange with a denial, walking back through the stages entered so far. */
  void deny(Exchange exchange, Denial denial);

  /**
   * Ends the exchange with a bodiless answer made at the edge (a CORS preflight's 204,
   * forward-auth's 200), headers already set, walking back through the stages entered so far;
   * nothing is forwarded.
   */
  void answer(Exchange exchange, int status);

  /**
   * Runs {@code continuation} on the exchange's event loop: inline when the caller is on it, else
   * queued there (a fake may run it at once or hold it until the test steps).
   */
  void resume(Exchange exchange, Runnable continuation);

  /**
   * Notes that a stage begins reading the request body whole ({@link Exchange#readBody}), so that
   * the limits on how it arrives (the minimum upload rate) hold as when the proxy reads it.
   */
  default void readingBody(Exchange exchange) {}
}
