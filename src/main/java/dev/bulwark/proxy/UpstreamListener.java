package dev.bulwark.proxy;

import dev.bulwark.exchange.Exchange;
import io.vertx.core.MultiMap;

/** Receives the upstream's response head for an exchange, to run response policies and write it. */
public interface UpstreamListener {
  /**
   * Called once when the upstream's status and headers have arrived; the body waits until the
   * listener asks {@code call} to stream, buffer or drain it.
   */
  void onUpstreamResponse(Exchange exchange, ProxyCall call, int status, MultiMap headers);
}
