package dev.bulwark.audit.alert;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every setting of alerting ({@code audit.alerts}): whether it runs, each rule's settings, what a
 * rule needs to know beyond them (the admin roles, the working hours), the bound on keys counted,
 * and the webhooks with their delivery bounds.
 *
 * @param enabled whether alert rules run at all
 * @param rules each rule's settings (every rule present)
 * @param adminRoles the roles whose grant is a new admin
 * @param workingHours when role grants are expected
 * @param maxKeys keys counted at most per rule; beyond, the least recently seen are forgotten
 * @param gatewayId the name of this gateway in alerts, or empty for the host's name
 * @param webhooks where alerts are posted
 * @param delivery the queue and retry bounds of webhook deliveries
 */
public record AlertSettings(
    boolean enabled,
    Map<AlertRule, RuleSettings> rules,
    Set<String> adminRoles,
    WorkingHours workingHours,
    int maxKeys,
    String gatewayId,
    List<WebhookSettings> webhooks,
    Delivery delivery) {

  /** Keys counted per rule when the file says nothing. */
  public static final int DEFAULT_MAX_KEYS = 10_000;

  /** Alert rules on with their defaults, no webhook. */
  public static final AlertSettings DEFAULTS =
      new AlertSettings(
          true,
          defaultRules(),
          Set.of("admin"),
          WorkingHours.DEFAULT,
          DEFAULT_MAX_KEYS,
          "",
          List.of(),
          Delivery.DEFAULT);

  /**
   * The bounds of webhook deliveries: alerts waiting per webhook, attempts per alert, and the
   * back-off between attempts (doubling from {@code backoff} up to {@code maxBackoff}, each wait
   * drawn at random between half and all of it).
   *
   * @param queue alerts waiting per webhook before new ones are dropped (and counted)
   * @param maxAttempts attempts per alert, the first included
   * @param backoff the wait before the second attempt
   * @param maxBackoff the longest wait between attempts
   */
  public record Delivery(int queue, int maxAttempts, Duration backoff, Duration maxBackoff) {
    /** 1000 alerts, 5 attempts, 1 s doubling up to 60 s. */
    public static final Delivery DEFAULT =
        new Delivery(1000, 5, Duration.ofSeconds(1), Duration.ofSeconds(60));

    public Delivery {
      requireNonNull(backoff, "backoff");
      requireNonNull(maxBackoff, "maxBackoff");
      if (queue < 1) {
        throw new IllegalArgumentException("queue: " + queue + " (expected: > 0)");
      }
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: > 0)");
      }
      if (maxBackoff.compareTo(backoff) < 0) {
        throw new IllegalArgumentException(
            "maxBackoff: " + maxBackoff + " (expected: >= backoff " + backoff + ")");
      }
    }
  }

  public AlertSettings {
    rules = new EnumMap<>(rules);
    for (AlertRule r : AlertRule.values()) {
      if (!rules.containsKey(r)) {
        throw new IllegalArgumentException("rules: " + r.configName() + " missing");
      }
    }
    rules = java.util.Collections.unmodifiableMap(rules);
    adminRoles = Set.copyOf(adminRoles);
    requireNonNull(workingHours, "workingHours");
    requireNonNull(gatewayId, "gatewayId");
    webhooks = List.copyOf(webhooks);
    requireNonNull(delivery, "delivery");
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys: " + maxKeys + " (expected: > 0)");
    }
  }

  /** Returns each rule with its defaults. */
  public static Map<AlertRule, RuleSettings> defaultRules() {
    Map<AlertRule, RuleSettings> m = new EnumMap<>(AlertRule.class);
    for (AlertRule r : AlertRule.values()) {
      m.put(r, r.defaults());
    }
    return m;
  }

  /** Returns the settings of one rule. */
  public RuleSettings rule(AlertRule rule) {
    return requireNonNull(rules.get(rule), "rule");
  }

  /** Returns these settings with one rule's settings replaced (for tests and embeddings). */
  public AlertSettings with(AlertRule rule, RuleSettings s) {
    Map<AlertRule, RuleSettings> m = new EnumMap<>(rules);
    m.put(rule, s);
    return new AlertSettings(
        enabled, m, adminRoles, workingHours, maxKeys, gatewayId, webhooks, delivery);
  }
}
