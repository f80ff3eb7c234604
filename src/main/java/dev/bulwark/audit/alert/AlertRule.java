package dev.bulwark.audit.alert;

import dev.bulwark.audit.EventDetail;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The alert rules, each with its configuration name, the event kind it watches, what it counts per
 * (its key), and its defaults. Keys are cut to {@link #MAX_KEY_CHARS} characters, so a hostile
 * account name cannot make a counter large.
 */
public enum AlertRule {
  /** Failed sign-ins, counted per account tried and, separately, per client address. */
  FAILED_LOGIN_BURST(
      "failed-login-burst",
      SecurityEventKind.LOGIN_FAILED,
      10,
      Duration.ofMinutes(5),
      Severity.WARNING,
      "failed sign-ins"),
  /** A role named in {@code roles} (default {@code admin}) granted to an account. */
  NEW_ADMIN(
      "new-admin",
      SecurityEventKind.ROLE_GRANTED,
      1,
      Duration.ofHours(1),
      Severity.CRITICAL,
      "admin roles granted"),
  /** Any role granted outside the configured working hours. */
  ROLE_GRANTED_OUTSIDE_HOURS(
      "role-granted-outside-hours",
      SecurityEventKind.ROLE_GRANTED,
      1,
      Duration.ofHours(1),
      Severity.WARNING,
      "roles granted outside working hours"),
  /** Bans made, by any rule or the admin API, counted across all addresses. */
  BAN_STORM(
      "ban-storm", SecurityEventKind.BAN, 20, Duration.ofMinutes(1), Severity.WARNING, "bans"),
  /** A refresh token presented a second time, per account. */
  REFRESH_TOKEN_REUSE(
      "refresh-token-reuse",
      SecurityEventKind.REFRESH_TOKEN_REUSED,
      2,
      Duration.ofHours(1),
      Severity.CRITICAL,
      "refresh tokens reused"),
  /** A reload that loosened the configuration (see {@link EventDetail.ConfigReload}). */
  CONFIG_LOOSENED(
      "config-loosened",
      SecurityEventKind.CONFIG_RELOADED,
      1,
      Duration.ofMinutes(1),
      Severity.WARNING,
      "reloads that loosened the configuration"),
  /** Access denials of authenticated callers, per subject. */
  ACCESS_DENIED_BURST(
      "access-denied-burst",
      SecurityEventKind.ACCESS_DENIED,
      20,
      Duration.ofMinutes(5),
      Severity.WARNING,
      "access denials"),
  /** Refused calls to the admin listener, per client address. */
  ADMIN_AUTH_FAILED_BURST(
      "admin-auth-failed-burst",
      SecurityEventKind.ADMIN_AUTH_FAILED,
      5,
      Duration.ofMinutes(5),
      Severity.CRITICAL,
      "refused admin calls"),
  /**
   * An audit sink began dropping events (its store away past its buffer), per sink: records are
   * being lost, so one is enough.
   */
  AUDIT_DROPPED(
      "audit-dropped",
      SecurityEventKind.AUDIT_DROPPED,
      1,
      Duration.ofHours(1),
      Severity.CRITICAL,
      "audit sink outages dropping events");

  /** Keys longer than this are cut. */
  public static final int MAX_KEY_CHARS = 200;

  private final String configName;
  private final SecurityEventKind kind;
  private final RuleSettings defaults;
  private final String counted;

  AlertRule(
      String configName,
      SecurityEventKind kind,
      int threshold,
      Duration window,
      Severity severity,
      String counted) {
    this.configName = configName;
    this.kind = kind;
    this.defaults = new RuleSettings(true, threshold, window, window, severity);
    this.counted = counted;
  }

  /** Returns the rule's name under {@code audit.alerts.rules} and in an alert. */
  public String configName() {
    return configName;
  }

  /** Returns the event kind the rule watches. */
  public SecurityEventKind kind() {
    return kind;
  }

  /** Returns the rule's settings when the file says nothing. */
  public RuleSettings defaults() {
    return defaults;
  }

  /** Returns what the rule counts, in words, for an alert's summary. */
  String counted() {
    return counted;
  }

  /** Returns the rule named {@code name} in a file, or null. */
  public static @org.jspecify.annotations.Nullable AlertRule named(String name) {
    for (AlertRule r : values()) {
      if (r.configName.equals(name)) {
        return r;
      }
    }
    return null;
  }

  /**
   * Returns the keys an event of this rule's kind is counted under (none when the rule does not
   * apply to it).
   */
  List<String> keys(SecurityEvent e, AlertSettings settings) {
    EventDetail d = e.detail();
    switch (this) {
      case FAILED_LOGIN_BURST:
        if (d instanceof EventDetail.LoginAttempt login) {
          return List.of(key("account:", login.login()), key("address:", e.client()));
        }
        return List.of(key("address:", e.client()));
      case NEW_ADMIN:
        if (d instanceof EventDetail.RoleGrant g && settings.adminRoles().contains(g.role())) {
          return List.of(key("account:", g.account()));
        }
        return List.of();
      case ROLE_GRANTED_OUTSIDE_HOURS:
        if (d instanceof EventDetail.RoleGrant g
            && !settings.workingHours().contains(Instant.ofEpochMilli(e.epochMillis()))) {
          return List.of(key("account:", g.account()));
        }
        return List.of();
      case BAN_STORM:
        return List.of("all");
      case REFRESH_TOKEN_REUSE:
        return List.of(key("account:", e.subject() == null ? "-" : e.subject()));
      case CONFIG_LOOSENED:
        if (d instanceof EventDetail.ConfigReload r && r.loosens()) {
          return List.of("config");
        }
        return List.of();
      case ACCESS_DENIED_BURST:
        return List.of(key("subject:", e.subject() == null ? "-" : e.subject()));
      case ADMIN_AUTH_FAILED_BURST:
        return List.of(key("address:", e.client()));
      case AUDIT_DROPPED:
        if (d instanceof EventDetail.AuditSink s) {
          return List.of(key("sink:", s.sink()));
        }
        return List.of("sink:-");
    }
    throw new AssertionError(this);
  }

  private static String key(String prefix, String value) {
    return value.length() <= MAX_KEY_CHARS
        ? prefix + value
        : prefix + value.substring(0, MAX_KEY_CHARS);
  }
}
