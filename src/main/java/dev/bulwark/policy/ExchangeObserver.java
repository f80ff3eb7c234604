package dev.bulwark.policy;

import dev.bulwark.exchange.Exchange;

/**
 * Learns how each exchange ended (status, decision, client), once it is accounted for: automatic
 * bans count strikes this way. Runs on the exchange's event loop; must not block.
 */
public interface ExchangeObserver {
  /** Observes an exchange that has ended. */
  void ended(Exchange exchange);
}
