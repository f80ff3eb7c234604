package dev.bulwark.audit.alert;

import dev.bulwark.audit.EventDetail;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import java.time.Instant;
import java.util.List;

/** Security events of the kinds the alert rules watch, at a chosen time. */
final class Events {
  private Events() {}

  static SecurityEvent loginFailed(String id, String client, String account, Instant at) {
    return at(
        SecurityEvent.loginAttempt(
            SecurityEventKind.LOGIN_FAILED, id, client, "login", account, "password", 1),
        at);
  }

  static SecurityEvent roleGranted(String account, String role, Instant at) {
    return at(
        SecurityEvent.roleGranted("g-" + account, "192.0.2.50", "root", account, role, "-"), at);
  }

  static SecurityEvent ban(String client, Instant at) {
    return at(
        SecurityEvent.ban(
            "b-" + client, client, "auth-failures", at.plusSeconds(600), 0, "20 answers"),
        at);
  }

  static SecurityEvent reused(String account, Instant at) {
    return at(SecurityEvent.refreshTokenReused("t-" + account, "192.0.2.60", account, "sid-1"), at);
  }

  static SecurityEvent reloaded(List<String> loosened, Instant at) {
    return at(SecurityEvent.configReloaded("ab".repeat(32), loosened), at);
  }

  static SecurityEvent denied(String id, String subject, Instant at) {
    return at(
        SecurityEvent.accessDenied(id, "192.0.2.70", "api", subject, "DELETE", "role:admin"), at);
  }

  static SecurityEvent adminAuthFailed(String id, String client, long suppressed, Instant at) {
    return at(
        SecurityEvent.adminAuthFailed(id, client, 401, "wrong token", "GET", "/bans"),
        at,
        suppressed);
  }

  static SecurityEvent at(SecurityEvent e, Instant at) {
    return at(e, at, e.suppressed());
  }

  /** Returns {@code e} as it happened at {@code at} standing for {@code suppressed} more. */
  private static SecurityEvent at(SecurityEvent e, Instant at, long suppressed) {
    return new SecurityEvent(
        e.kind(),
        at.toEpochMilli(),
        e.requestId(),
        e.client(),
        e.route(),
        e.status(),
        e.reason(),
        e.subject(),
        e.via(),
        e.detail(),
        suppressed);
  }

  static EventDetail none() {
    return EventDetail.none();
  }

  static SecurityEvent auditDropped(String sink, long dropped, Instant at) {
    return at(
        SecurityEvent.auditDropped(sink, "PostgreSQL at 127.0.0.1:5432 schema s", dropped, "full"),
        at);
  }
}
