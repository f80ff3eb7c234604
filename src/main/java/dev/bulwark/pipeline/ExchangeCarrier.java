package dev.bulwark.pipeline;

import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.proxy.UpstreamTarget;

/**
 * What the {@link StagePipeline} leaves to the side that carries an exchange: the live server
 * ({@link LiveCarrier}) forwards upstream and writes to a connection; an {@link OfflineRun} records
 * what would be forwarded or sent. The pipeline decides; the carrier delivers.
 */
public interface ExchangeCarrier {
  /** Every stage let the request through: sends it to {@code upstream}. */
  void forward(Exchange exchange, PipelineRoute route, UpstreamTarget upstream);

  /**
   * Prepares the head of a refusal, already decided and traced, before the response stages see it:
   * whether the connection closes after it, what becomes of an unread request body.
   */
  void refusing(Exchange exchange, PipelineRoute route, Denial denial, ResponseHead head);

  /** Prepares the head of a bodiless answer by a policy, as {@link #refusing} does for a denial. */
  void answering(Exchange exchange, ResponseHead head);

  /** Sends a response the gateway made, after every entered stage has seen it on its way out. */
  void send(Exchange exchange, ResponseHead head);

  /** Runs {@code continuation} on the exchange's own thread (see {@link Exchange#resume}). */
  void resume(Exchange exchange, Runnable continuation);

  /**
   * A stage begins reading the request body whole ({@link Exchange#readBody}): the route's limits
   * on how a body arrives (the minimum upload rate) apply to it as when it is forwarded.
   */
  default void readingBody(Exchange exchange, PipelineRoute route) {}
}
