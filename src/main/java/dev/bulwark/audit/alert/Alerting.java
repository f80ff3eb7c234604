package dev.bulwark.audit.alert;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.SecurityEventSink;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Alerting as the gateway runs it: the rules as a security event sink, sending each alert to the
 * log and to every webhook's sender. Closing stops the senders.
 */
public final class Alerting implements AutoCloseable {
  private final AlertRules rules;
  private final List<WebhookSender> senders;

  private Alerting(AlertRules rules, List<WebhookSender> senders) {
    this.rules = rules;
    this.senders = List.copyOf(senders);
  }

  /**
   * Starts the rules of {@code settings}, logging alerts to {@code logLines}, naming the gateway
   * {@code hostName} unless the settings name it.
   */
  public static Alerting start(
      AlertSettings settings, String hostName, Consumer<String> logLines, MeterRegistry registry) {
    return start(settings, hostName, logLines, registry, alert -> {});
  }

  /**
   * Starts the rules as {@link #start(AlertSettings, String, Consumer, MeterRegistry)} does, also
   * sending each alert to {@code local} (the dashboard's recent alerts), which must not block.
   */
  public static Alerting start(
      AlertSettings settings,
      String hostName,
      Consumer<String> logLines,
      MeterRegistry registry,
      AlertDestination local) {
    requireNonNull(settings, "settings");
    requireNonNull(local, "local");
    List<WebhookSender> senders = new ArrayList<>();
    List<AlertDestination> destinations = new ArrayList<>();
    destinations.add(new AlertLog(logLines));
    destinations.add(local);
    if (settings.enabled()) {
      for (int i = 0; i < settings.webhooks().size(); i++) {
        WebhookSender s =
            new WebhookSender(settings.webhooks().get(i), i, settings.delivery(), registry);
        senders.add(s);
        destinations.add(s);
      }
    }
    String gateway = settings.gatewayId().isEmpty() ? hostName : settings.gatewayId();
    return new Alerting(
        new AlertRules(settings, gateway, destinations, registry, Clock.systemUTC()), senders);
  }

  /** Returns the rules, the sink security events are published to. */
  public SecurityEventSink sink() {
    return rules;
  }

  /** Returns the rules. */
  public AlertRules rules() {
    return rules;
  }

  /** Stops the webhook senders; alerts still queued are dropped. */
  @Override
  public void close() {
    for (WebhookSender s : senders) {
      s.close();
    }
  }
}
