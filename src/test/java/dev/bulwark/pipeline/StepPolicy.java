package dev.bulwark.pipeline;

import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import java.util.function.Consumer;

/**
 * A policy made for pipeline tests: does what it is given on the way in, and on the way out adds
 * its name to {@code x-walked}, so a test reads which stages the answer passed back through.
 */
final class StepPolicy implements Policy {
  static final String WALKED = "x-walked";

  private final Stage stage;
  private final String name;
  private final Consumer<Exchange> onRequest;

  StepPolicy(Stage stage, String name, Consumer<Exchange> onRequest) {
    this.stage = stage;
    this.name = name;
    this.onRequest = onRequest;
  }

  static StepPolicy passing(Stage stage, String name) {
    return new StepPolicy(stage, name, Exchange::proceed);
  }

  static StepPolicy denying(Stage stage, String name, Denial denial) {
    return new StepPolicy(stage, name, ex -> ex.deny(denial));
  }

  static StepPolicy answering(Stage stage, String name, int status) {
    return new StepPolicy(stage, name, ex -> ex.answer(status));
  }

  @Override
  public Stage stage() {
    return stage;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void onRequest(Exchange exchange) {
    onRequest.accept(exchange);
  }

  @Override
  public void onResponse(Exchange exchange, ResponseHead head) {
    head.headers().add(WALKED, name);
  }
}
