package dev.bulwark.policy;

import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.ResponseHead;

/**
 * One step of a route's chain, shared by every request of the route: it either lets the request
 * through ({@link Exchange#proceed()}) or ends it ({@link Exchange#deny}); not calling either is a
 * bug. Per-request state lives in the exchange, never in fields.
 */
public interface Policy {
  /** Returns the stage this policy runs at. */
  Stage stage();

  /** Returns the short name used in logs and metrics. */
  String name();

  /**
   * Returns what this compiled policy enforces, in one short stable line for summaries and golden
   * files (empty when its name says it all).
   */
  default String describe() {
    return "";
  }

  /** Handles the request on its way in. */
  default void onRequest(Exchange exchange) {
    exchange.proceed();
  }

  /** Edits the response on its way out; runs only if {@link #onRequest} was entered. */
  default void onResponse(Exchange exchange, ResponseHead head) {}
}
