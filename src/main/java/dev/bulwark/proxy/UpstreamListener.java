package dev.bulwark.proxy;

import dev.bulwark.exchange.Exchange;
import io.vertx.core.http.HttpClientResponse;

/** Receives the upstream's response head for an exchange, to run response policies and write it. */
public interface UpstreamListener {
  /** Called once when the upstream's status and headers have arrived. */
  void onUpstreamResponse(Exchange exchange, ProxyCall call, HttpClientResponse response);
}
