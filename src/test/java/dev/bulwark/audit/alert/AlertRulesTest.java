package dev.bulwark.audit.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.SecurityEvents;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The rules: thresholds per key within a sliding window, one alert per rule and key per cool-down
 * with the held-back count, each rule's own matching, and memory bounded whatever the keys.
 */
class AlertRulesTest {
  /** A Wednesday, 10:00 UTC: within the default working hours. */
  private static final Instant WORKDAY = Instant.parse("2026-12-09T10:00:00Z");

  private final MutableClock clock = new MutableClock(WORKDAY);
  private final List<Alert> alerts = new CopyOnWriteArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private AlertRules rules(AlertSettings settings) {
    return new AlertRules(settings, "gw-test", List.of(alerts::add), registry, clock);
  }

  /** The default settings with {@code rule} turned off and its other settings kept. */
  private static AlertSettings off(AlertRule rule) {
    RuleSettings d = rule.defaults();
    return AlertSettings.DEFAULTS.with(
        rule, new RuleSettings(false, d.threshold(), d.window(), d.coolDown(), d.severity()));
  }

  private static AlertSettings with(AlertRule rule, int threshold, Duration window) {
    return AlertSettings.DEFAULTS.with(
        rule, new RuleSettings(true, threshold, window, window, rule.defaults().severity()));
  }

  private Instant now() {
    return clock.instant();
  }

  @Test
  void failedLoginsFireOncePerAccountAtTheThresholdAndNotBefore() {
    AlertRules r = rules(with(AlertRule.FAILED_LOGIN_BURST, 3, Duration.ofMinutes(5)));
    // Different accounts from different addresses: no key reaches 3.
    r.accept(Events.loginFailed("a1", "192.0.2.1", "alice", now()));
    r.accept(Events.loginFailed("b1", "192.0.2.2", "bob", now()));
    r.accept(Events.loginFailed("a2", "192.0.2.3", "alice", now()));
    assertThat(alerts).isEmpty();
    clock.advance(Duration.ofSeconds(10));
    r.accept(Events.loginFailed("a3", "192.0.2.4", "alice", now()));
    assertThat(alerts).hasSize(1);
    Alert a = alerts.get(0);
    assertThat(a.rule()).isEqualTo(AlertRule.FAILED_LOGIN_BURST);
    assertThat(a.key()).isEqualTo("account:alice");
    assertThat(a.count()).isEqualTo(3);
    assertThat(a.threshold()).isEqualTo(3);
    assertThat(a.gateway()).isEqualTo("gw-test");
    assertThat(a.severity()).isEqualTo(Severity.WARNING);
    assertThat(a.sampleEvents()).containsExactly("a1", "a2", "a3");
    assertThat(a.firstEventMillis()).isEqualTo(WORKDAY.toEpochMilli());
    assertThat(a.lastEventMillis()).isEqualTo(WORKDAY.plusSeconds(10).toEpochMilli());
    assertThat(a.suppressed()).isZero();
    assertThat(registry.get("bulwark_alerts").tag("rule", "failed-login-burst").counter().count())
        .isEqualTo(1);
  }

  @Test
  void failedLoginsAreAlsoCountedPerAddressAcrossAccounts() {
    AlertRules r = rules(with(AlertRule.FAILED_LOGIN_BURST, 3, Duration.ofMinutes(5)));
    r.accept(Events.loginFailed("1", "203.0.113.9", "alice", now()));
    r.accept(Events.loginFailed("2", "203.0.113.9", "bob", now()));
    r.accept(Events.loginFailed("3", "203.0.113.9", "carol", now()));
    assertThat(alerts).extracting(Alert::key).containsExactly("address:203.0.113.9");
  }

  @Test
  void oneAlertPerKeyPerCoolDownThenTheNextCarriesTheHeldBackCount() {
    AlertRules r = rules(with(AlertRule.FAILED_LOGIN_BURST, 2, Duration.ofMinutes(1)));
    for (int i = 0; i < 12; i++) {
      r.accept(Events.loginFailed("r" + i, "192.0.2." + i, "alice", now()));
    }
    assertThat(alerts).hasSize(1);
    assertThat(
            registry
                .get("bulwark_alerts_suppressed")
                .tag("rule", "failed-login-burst")
                .counter()
                .count())
        .isEqualTo(10);
    // After the cool-down, the burst going on fires again, saying how many were held back.
    clock.advance(Duration.ofSeconds(61));
    r.accept(Events.loginFailed("late1", "192.0.2.100", "alice", now()));
    r.accept(Events.loginFailed("late2", "192.0.2.101", "alice", now()));
    assertThat(alerts).hasSize(2);
    assertThat(alerts.get(1).key()).isEqualTo("account:alice");
    assertThat(alerts.get(1).suppressed()).isEqualTo(10);
  }

  @Test
  void eventsThatLeftTheWindowNoLongerCount() {
    AlertRules r = rules(with(AlertRule.ACCESS_DENIED_BURST, 3, Duration.ofMinutes(1)));
    r.accept(Events.denied("1", "alice", now()));
    r.accept(Events.denied("2", "alice", now()));
    clock.advance(Duration.ofMinutes(3));
    r.accept(Events.denied("3", "alice", now()));
    r.accept(Events.denied("4", "alice", now()));
    assertThat(alerts).isEmpty();
    r.accept(Events.denied("5", "alice", now()));
    assertThat(alerts).extracting(Alert::key).containsExactly("subject:alice");
    assertThat(alerts.get(0).sampleEvents()).containsExactly("3", "4", "5");
  }

  @Test
  void theSlidingWindowCatchesABurstAcrossABucketEdge() {
    AlertRules r = rules(with(AlertRule.ACCESS_DENIED_BURST, 4, Duration.ofMinutes(1)));
    r.accept(Events.denied("1", "alice", now()));
    clock.advance(Duration.ofSeconds(50));
    r.accept(Events.denied("2", "alice", now()));
    r.accept(Events.denied("3", "alice", now()));
    clock.advance(Duration.ofSeconds(15)); // a new bucket; the last 2 are 15 s old
    r.accept(Events.denied("4", "alice", now()));
    r.accept(Events.denied("5", "alice", now()));
    assertThat(alerts).hasSize(1);
  }

  @Test
  void eventsHeldBackByTheFanOutCountTowardTheKeyOfTheOneThatCarriesThem() {
    AlertRules r = rules(with(AlertRule.ADMIN_AUTH_FAILED_BURST, 6, Duration.ofMinutes(5)));
    r.accept(Events.adminAuthFailed("1", "198.51.100.7", 0, now()));
    r.accept(Events.adminAuthFailed("2", "198.51.100.7", 3, now()));
    assertThat(alerts).isEmpty();
    r.accept(Events.adminAuthFailed("3", "198.51.100.7", 0, now()));
    assertThat(alerts)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.key()).isEqualTo("address:198.51.100.7");
              assertThat(a.count()).isEqualTo(6);
              assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
            });
  }

  @Test
  void throughTheFanOutRepeatedAdminFailuresStillFire() {
    AlertRules r = rules(with(AlertRule.ADMIN_AUTH_FAILED_BURST, 3, Duration.ofMinutes(5)));
    long[] nanos = {0};
    SecurityEvents events = new SecurityEvents(List.of(r), () -> nanos[0]);
    for (int i = 0; i < 5; i++) {
      events.publish(Events.adminAuthFailed("x" + i, "198.51.100.8", 0, now()));
    }
    assertThat(alerts).isEmpty(); // thinned to one line per second: 1 seen, 4 held
    nanos[0] += 1_100_000_000L;
    events.publish(Events.adminAuthFailed("y", "198.51.100.8", 0, now()));
    assertThat(alerts).hasSize(1);
  }

  @Test
  void aNewAdminFiresAtOnceForTheAdminRolesOnly() {
    AlertRules r = rules(AlertSettings.DEFAULTS);
    r.accept(Events.roleGranted("alice", "viewer", now()));
    assertThat(alerts).isEmpty();
    r.accept(Events.roleGranted("alice", "admin", now()));
    assertThat(alerts)
        .extracting(a -> a.rule().configName(), Alert::key)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("new-admin", "account:alice"));
    r.accept(Events.roleGranted("bob", "admin", now()));
    assertThat(alerts).hasSize(2);
  }

  @Test
  void aRoleGrantedOutsideWorkingHoursFiresInTheConfiguredZone() {
    WorkingHours berlin =
        new WorkingHours(
            LocalTime.of(9, 0),
            LocalTime.of(17, 0),
            EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY),
            ZoneId.of("Europe/Berlin"));
    AlertSettings d = AlertSettings.DEFAULTS;
    AlertRules r =
        rules(
            new AlertSettings(
                true, d.rules(), d.adminRoles(), berlin, d.maxKeys(), "", List.of(), d.delivery()));
    // 10:00 UTC is 11:00 in Berlin on a Wednesday: within hours.
    r.accept(Events.roleGranted("alice", "viewer", Instant.parse("2026-12-09T10:00:00Z")));
    assertThat(alerts).isEmpty();
    // 16:30 UTC is 17:30 in Berlin: outside.
    r.accept(Events.roleGranted("bob", "viewer", Instant.parse("2026-12-09T16:30:00Z")));
    // A Saturday at noon: outside.
    r.accept(Events.roleGranted("carol", "viewer", Instant.parse("2026-12-12T11:00:00Z")));
    assertThat(alerts).extracting(Alert::key).containsExactly("account:bob", "account:carol");
    assertThat(alerts).allMatch(a -> a.rule() == AlertRule.ROLE_GRANTED_OUTSIDE_HOURS);
  }

  @Test
  void workingHoursThatSpanMidnightBelongToTheDayTheyStart() {
    WorkingHours night =
        new WorkingHours(
            LocalTime.of(22, 0),
            LocalTime.of(6, 0),
            EnumSet.of(DayOfWeek.FRIDAY),
            ZoneId.of("UTC"));
    assertThat(night.contains(Instant.parse("2026-12-11T23:00:00Z"))).isTrue(); // Friday night
    assertThat(night.contains(Instant.parse("2026-12-12T05:59:00Z"))).isTrue(); // Saturday early
    assertThat(night.contains(Instant.parse("2026-12-12T06:00:00Z"))).isFalse();
    assertThat(night.contains(Instant.parse("2026-12-12T23:00:00Z"))).isFalse(); // Saturday night
  }

  @Test
  void aBanStormCountsBansAcrossAddresses() {
    AlertRules r = rules(with(AlertRule.BAN_STORM, 5, Duration.ofMinutes(1)));
    for (int i = 0; i < 5; i++) {
      r.accept(Events.ban("192.0.2." + i, now()));
    }
    assertThat(alerts).extracting(Alert::key).containsExactly("all");
  }

  @Test
  void repeatedRefreshTokenReuseFiresPerAccount() {
    AlertRules r = rules(AlertSettings.DEFAULTS);
    r.accept(Events.reused("alice", now()));
    r.accept(Events.reused("bob", now()));
    assertThat(alerts).isEmpty();
    r.accept(Events.reused("alice", now()));
    assertThat(alerts).extracting(Alert::key).containsExactly("account:alice");
  }

  @Test
  void onlyAReloadThatLoosensFires() {
    AlertRules r = rules(AlertSettings.DEFAULTS);
    r.accept(Events.reloaded(List.of(), now()));
    assertThat(alerts).isEmpty();
    r.accept(Events.reloaded(List.of("routes.api: rate-limit removed"), now()));
    assertThat(alerts).extracting(a -> a.rule().configName()).containsExactly("config-loosened");
  }

  @Test
  void aRuleTurnedOffNeverFiresAndAlertsOffFireNothing() {
    AlertRules off = rules(off(AlertRule.NEW_ADMIN));
    off.accept(Events.roleGranted("alice", "admin", now()));
    assertThat(alerts).isEmpty();
    assertThat(off.trackedKeys(AlertRule.NEW_ADMIN)).isZero();
    AlertSettings a = AlertSettings.DEFAULTS;
    AlertRules none =
        rules(
            new AlertSettings(
                false,
                a.rules(),
                a.adminRoles(),
                a.workingHours(),
                a.maxKeys(),
                "",
                List.of(),
                a.delivery()));
    none.accept(Events.roleGranted("alice", "admin", now()));
    assertThat(alerts).isEmpty();
  }

  @Test
  void aHundredThousandDistinctAddressesKeepTheCountedKeysBounded() {
    AlertSettings d = with(AlertRule.FAILED_LOGIN_BURST, 10, Duration.ofMinutes(5));
    AlertRules r =
        rules(
            new AlertSettings(
                true,
                d.rules(),
                d.adminRoles(),
                d.workingHours(),
                1000,
                "",
                List.of(),
                d.delivery()));
    for (int i = 0; i < 100_000; i++) {
      String address = "10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255);
      r.accept(Events.loginFailed("r" + i, address, "user" + i, now()));
    }
    assertThat(alerts).isEmpty();
    assertThat(r.trackedKeys(AlertRule.FAILED_LOGIN_BURST)).isLessThanOrEqualTo(1000);
    // A real burst amid the flood is still seen.
    for (int i = 0; i < 10; i++) {
      r.accept(Events.loginFailed("burst" + i, "203.0.113.66", "target", now()));
    }
    assertThat(alerts).extracting(Alert::key).contains("account:target", "address:203.0.113.66");
  }

  @Test
  void aHostileAccountNameIsCutInTheKey() {
    AlertRules r = rules(with(AlertRule.FAILED_LOGIN_BURST, 1, Duration.ofMinutes(5)));
    r.accept(Events.loginFailed("1", "192.0.2.1", "x".repeat(1_000_000), now()));
    assertThat(alerts.get(0).key()).hasSize("account:".length() + AlertRule.MAX_KEY_CHARS);
  }

  @Test
  void aDestinationThatThrowsDoesNotStopTheOthers() {
    List<Alert> second = new CopyOnWriteArrayList<>();
    AlertRules r =
        new AlertRules(
            AlertSettings.DEFAULTS,
            "gw",
            List.of(
                a -> {
                  throw new IllegalStateException("broken");
                },
                second::add),
            registry,
            clock);
    r.accept(Events.roleGranted("alice", "admin", now()));
    assertThat(second).hasSize(1);
  }

  @Test
  void anAuditSinkDroppingEventsFiresAtOnceByDefaultAndOncePerCoolDown() {
    AlertRules r = rules(AlertSettings.DEFAULTS);
    r.accept(Events.auditDropped("postgres", 1, now()));
    assertThat(alerts).hasSize(1);
    Alert a = alerts.get(0);
    assertThat(a.rule().configName()).isEqualTo("audit-dropped");
    assertThat(a.key()).isEqualTo("sink:postgres");
    assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(a.threshold()).isEqualTo(1);
    assertThat(a.summary())
        .isEqualTo(
            "1 audit sink outages dropping events for sink:postgres within 1h (threshold 1)");
    // A second outage within the hour is held back, counted, and reported by the next alert.
    clock.advance(Duration.ofMinutes(10));
    r.accept(Events.auditDropped("postgres", 300, now()));
    assertThat(alerts).hasSize(1);
    assertThat(
            registry
                .get("bulwark_alerts_suppressed")
                .tag("rule", "audit-dropped")
                .counter()
                .count())
        .isEqualTo(1);
    clock.advance(Duration.ofMinutes(61));
    r.accept(Events.auditDropped("postgres", 900, now()));
    assertThat(alerts).hasSize(2);
    assertThat(alerts.get(1).suppressed()).isEqualTo(1);
  }

  @Test
  void theAuditDroppedRuleCanBeTurnedOff() {
    AlertRules r = rules(off(AlertRule.AUDIT_DROPPED));
    r.accept(Events.auditDropped("postgres", 1, now()));
    assertThat(alerts).isEmpty();
  }
}
