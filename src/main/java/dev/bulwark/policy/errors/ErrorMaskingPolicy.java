package dev.bulwark.policy.errors;

import dev.bulwark.exchange.ErrorJson;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;

/**
 * Replaces the body of upstream 5xx responses with the generic JSON error carrying the request id,
 * keeping the status; the original body is kept (truncated, redacted) for the log only.
 */
public final class ErrorMaskingPolicy implements Policy {
  private final ErrorsConfig config;

  public ErrorMaskingPolicy(ErrorsConfig config) {
    this.config = config;
  }

  @Override
  public Stage stage() {
    return Stage.ERRORS;
  }

  @Override
  public String name() {
    return "errors";
  }

  @Override
  public String describe() {
    return config.maskUpstream5xx()
        ? "mask upstream 5xx, log up to " + config.logBodyBytes() + " bytes"
        : "upstream 5xx bodies reach clients";
  }

  @Override
  public void onResponse(Exchange exchange, ResponseHead head) {
    if (config.maskUpstream5xx() && head.fromUpstream() && head.status() >= 500) {
      int status = head.status();
      head.replaceWithJson(
          status, ErrorJson.body(status, ErrorJson.textFor(status), exchange.requestId()));
      exchange.captureUpstreamBody(config.logBodyBytes());
      exchange.decide(name(), "masked", "upstream answered " + status);
    }
  }
}
