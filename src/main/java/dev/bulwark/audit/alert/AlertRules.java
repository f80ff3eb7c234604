package dev.bulwark.audit.alert;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEventSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The alert rules as a security event sink: each event is counted by every enabled rule that
 * watches its kind, under each key the rule gives it ({@code 1 + suppressed}, so events thinned out
 * before the sinks still count); a rule whose count for a key reaches its threshold within its
 * window fires one {@link Alert} to every destination, then holds back further alerts for that key
 * for its cool-down. Each rule remembers at most {@code maxKeys} keys (the least recently seen are
 * forgotten first, see {@link RecentKeys}), so a flood of distinct addresses costs bounded memory.
 * Never blocks: a destination that does I/O queues. Thread-safe.
 */
public final class AlertRules implements SecurityEventSink {
  private static final Logger LOG = Logger.getLogger(AlertRules.class.getName());
  private static final long FAILURE_LOG_MILLIS = 10_000;

  private final AlertSettings settings;
  private final List<AlertDestination> destinations;
  private final Clock clock;
  private final String gateway;
  private final Map<SecurityEventKind, List<Counting>> byKind =
      new EnumMap<>(SecurityEventKind.class);
  private final Map<AlertRule, Counting> byRule = new EnumMap<>(AlertRule.class);
  private final AtomicLong lastFailureLog = new AtomicLong(Long.MIN_VALUE / 2);

  /** One enabled rule: its settings, its keys, and its meters. */
  private static final class Counting {
    final AlertRule rule;
    final RuleSettings settings;
    final RecentKeys keys;
    final Counter fired;
    final Counter suppressed;

    Counting(AlertRule rule, RuleSettings settings, int maxKeys, MeterRegistry registry) {
      this.rule = rule;
      this.settings = settings;
      this.keys = new RecentKeys(maxKeys);
      this.fired =
          Counter.builder("bulwark_alerts")
              .tag("rule", rule.configName())
              .tag("severity", settings.severity().wireName())
              .description("Alerts fired, by rule")
              .register(registry);
      this.suppressed =
          Counter.builder("bulwark_alerts_suppressed")
              .tag("rule", rule.configName())
              .description("Events over a rule's threshold held back during its cool-down")
              .register(registry);
      Gauge.builder("bulwark_alert_keys", keys, RecentKeys::size)
          .tag("rule", rule.configName())
          .description("Keys a rule is counting (bounded by audit.alerts.max-keys)")
          .register(registry);
    }
  }

  /**
   * Rules as {@code settings} say, sending to {@code destinations} in order, counting on {@code
   * clock}; {@code gateway} names this gateway in alerts.
   */
  public AlertRules(
      AlertSettings settings,
      String gateway,
      List<AlertDestination> destinations,
      MeterRegistry registry,
      Clock clock) {
    this.settings = requireNonNull(settings, "settings");
    this.gateway = requireNonNull(gateway, "gateway");
    this.destinations = List.copyOf(destinations);
    this.clock = requireNonNull(clock, "clock");
    requireNonNull(registry, "registry");
    if (!settings.enabled()) {
      return;
    }
    for (AlertRule r : AlertRule.values()) {
      RuleSettings s = settings.rule(r);
      if (s.enabled()) {
        Counting c = new Counting(r, s, settings.maxKeys(), registry);
        byRule.put(r, c);
        byKind.computeIfAbsent(r.kind(), k -> new ArrayList<>()).add(c);
      }
    }
  }

  @Override
  public void accept(SecurityEvent event) {
    List<Counting> rules = byKind.get(event.kind());
    if (rules == null) {
      return;
    }
    long now = clock.millis();
    long n = 1 + event.suppressed();
    for (Counting c : rules) {
      for (String key : c.rule.keys(event, settings)) {
        long window = c.settings.window().toMillis();
        KeyWindow w =
            c.keys.get(key, () -> new KeyWindow(window, c.settings.coolDown().toMillis(), now));
        KeyWindow.Fired f =
            w.add(now, n, event.epochMillis(), event.requestId(), c.settings.threshold());
        if (f == null) {
          continue;
        }
        if (f.held()) {
          c.suppressed.increment(n);
          continue;
        }
        c.fired.increment();
        fire(
            new Alert(
                UUID.randomUUID().toString(),
                now,
                gateway,
                c.rule,
                c.settings.severity(),
                key,
                f.count(),
                c.settings.threshold(),
                c.settings.window(),
                f.firstEventMillis(),
                event.epochMillis(),
                f.samples(),
                f.suppressed()));
      }
    }
  }

  private void fire(Alert alert) {
    for (AlertDestination d : destinations) {
      try {
        d.send(alert);
      } catch (RuntimeException e) {
        long now = clock.millis();
        long last = lastFailureLog.get();
        if (now - last >= FAILURE_LOG_MILLIS && lastFailureLog.compareAndSet(last, now)) {
          LOG.log(Level.WARNING, "an alert destination failed (alert " + alert.id() + ")", e);
        }
      }
    }
  }

  /** Returns how many keys a rule counts now (0 for a rule that is off). */
  public long trackedKeys(AlertRule rule) {
    Counting c = byRule.get(rule);
    if (c == null) {
      return 0;
    }
    return c.keys.size();
  }
}
