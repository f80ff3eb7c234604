package dev.bulwark.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The JSON line of every kind of security event: the field names log consumers know, text as
 * strings and numbers as JSON numbers, and nothing a line could be broken with.
 */
class SecurityLogTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant UNTIL = Instant.parse("2026-12-07T07:00:00Z");

  /** One event of each kind, as its call site makes it. */
  private static final Map<SecurityEventKind, SecurityEvent> SAMPLES =
      new EnumMap<>(SecurityEventKind.class);

  static {
    SAMPLES.put(
        SecurityEventKind.TOKEN_INVALID,
        SecurityEvent.credentialRefused(
            SecurityEventKind.TOKEN_INVALID, "r1", "192.0.2.1", "api", "bad signature"));
    SAMPLES.put(
        SecurityEventKind.TOKEN_EXPIRED,
        SecurityEvent.credentialRefused(
                SecurityEventKind.TOKEN_EXPIRED, "r2", "192.0.2.1", "orgs", "expired")
            .withVia("forward-auth"));
    SAMPLES.put(
        SecurityEventKind.ACCESS_DENIED,
        SecurityEvent.accessDenied("r3", "192.0.2.1", "api", "alice", "DELETE", "role:admin"));
    SAMPLES.put(
        SecurityEventKind.BAN,
        SecurityEvent.ban("r4", "192.0.2.7", "auth-failures", UNTIL, 2, "20 answers"));
    SAMPLES.put(
        SecurityEventKind.UNBAN,
        SecurityEvent.unban(SecurityEvent.NO_REQUEST, "192.0.2.7", "admin"));
    SAMPLES.put(
        SecurityEventKind.REQUEST_REFUSED,
        SecurityEvent.refused(
            SecurityEventKind.REQUEST_REFUSED, "r6", "192.0.2.1", "api", 413, "body too large"));
    SAMPLES.put(
        SecurityEventKind.UPSTREAM_FAILURE,
        SecurityEvent.refused(
            SecurityEventKind.UPSTREAM_FAILURE, "r7", "192.0.2.1", "api", 502, "refused"));
    SAMPLES.put(
        SecurityEventKind.RESPONSE_BLOCKED,
        SecurityEvent.refused(
            SecurityEventKind.RESPONSE_BLOCKED, "r8", "192.0.2.1", "api", 200, "over the limit"));
    SAMPLES.put(
        SecurityEventKind.UPSTREAM_ERROR_MASKED,
        SecurityEvent.upstreamErrorMasked("r9", "192.0.2.1", "api", 500, "trace [REDACTED]"));
    SAMPLES.put(
        SecurityEventKind.SECRET_UNAVAILABLE,
        SecurityEvent.secretUnavailable(
            "https://vault.internal:8200", "secret/data/bulwark: Vault answered 503"));
    SAMPLES.put(
        SecurityEventKind.SECRET_ROTATED,
        SecurityEvent.secretRotation(true, List.of("${vault:secret/data/bulwark#jwt-key}"), null));
    SAMPLES.put(
        SecurityEventKind.SECRET_ROTATION_REFUSED,
        SecurityEvent.secretRotation(
            false,
            List.of("${vault:secret/data/bulwark#jwt-key}"),
            "auth.issuers.ci.secret: 9 bytes (expected: at least 32 bytes)"));
    SAMPLES.put(
        SecurityEventKind.ADMIN_AUTH_FAILED,
        SecurityEvent.adminAuthFailed("r10", "192.0.2.9", 401, "wrong token", "GET", "/bans"));
    SAMPLES.put(
        SecurityEventKind.CERTIFICATE_REFUSED,
        SecurityEvent.certificateRefused("r12", "192.0.2.1", "orders", 495, "expired"));
    SAMPLES.put(
        SecurityEventKind.LOGIN_SUCCEEDED,
        SecurityEvent.loginAttempt(
            SecurityEventKind.LOGIN_SUCCEEDED, "r13", "192.0.2.1", "login", "alice", "totp", 0));
    SAMPLES.put(
        SecurityEventKind.LOGIN_FAILED,
        SecurityEvent.loginAttempt(
            SecurityEventKind.LOGIN_FAILED, "r14", "192.0.2.1", "login", "alice", "password", 3));
    SAMPLES.put(
        SecurityEventKind.MFA_FAILED,
        SecurityEvent.loginAttempt(
            SecurityEventKind.MFA_FAILED, "r15", "192.0.2.1", "login", "alice", "totp", 1));
    SAMPLES.put(
        SecurityEventKind.CREDENTIAL_STUFFING_SUSPECTED,
        SecurityEvent.credentialStuffing(
            "r16", "192.0.2.1", "login", "names-per-address", "bob", 20));
    SAMPLES.put(
        SecurityEventKind.LOGIN_THROTTLED,
        SecurityEvent.loginThrottled("r17", "192.0.2.1", "login", "alice", "password"));
    SAMPLES.put(
        SecurityEventKind.ROLE_GRANTED,
        SecurityEvent.roleGranted("r14", "192.0.2.1", "root", "alice", "admin", "-"));
    SAMPLES.put(
        SecurityEventKind.REFRESH_TOKEN_REUSED,
        SecurityEvent.refreshTokenReused("r13", "192.0.2.1", "acct-1", "sid-1"));
    SAMPLES.put(
        SecurityEventKind.CONFIG_RELOADED,
        SecurityEvent.configReloaded("ab".repeat(32), List.of("routes.api: rate-limit removed")));
    SAMPLES.put(
        SecurityEventKind.IDEMPOTENCY_KEY_MISMATCH,
        SecurityEvent.idempotencyKeyRepeated(
            SecurityEventKind.IDEMPOTENCY_KEY_MISMATCH,
            "r13",
            "192.0.2.1",
            "payments",
            422,
            "alice",
            "key reused with another request"));
    SAMPLES.put(
        SecurityEventKind.DUPLICATE_REQUEST,
        SecurityEvent.idempotencyKeyRepeated(
            SecurityEventKind.DUPLICATE_REQUEST,
            "r14",
            "192.0.2.1",
            "payments",
            201,
            null,
            "stored response replayed"));
    for (SecurityEventKind k :
        List.of(
            SecurityEventKind.SIGNATURE_INVALID,
            SecurityEventKind.SIGNATURE_REPLAYED,
            SecurityEventKind.DIGEST_MISMATCH)) {
      SAMPLES.put(
          k, SecurityEvent.credentialRefused(k, "r13", "192.0.2.1", "payments", "signed request"));
    }
    SAMPLES.put(
        SecurityEventKind.SESSION_REVOKED,
        SecurityEvent.sessionsRevoked("r14", "192.0.2.1", "acct-1", "*", 3, "sign-out-everywhere"));
    for (SecurityEventKind k :
        List.of(
            SecurityEventKind.ACCOUNT_CREATED,
            SecurityEventKind.ACCOUNT_DISABLED,
            SecurityEventKind.ACCOUNT_ENABLED,
            SecurityEventKind.ACCOUNT_DELETED,
            SecurityEventKind.SECOND_FACTOR_REMOVED,
            SecurityEventKind.SECOND_FACTOR_ENROLMENT_STARTED,
            SecurityEventKind.SECOND_FACTOR_ENROLLED,
            SecurityEventKind.RECOVERY_CODES_REPLACED)) {
      SAMPLES.put(k, SecurityEvent.accountChanged(k, "r15", "127.0.0.1", "admin", "acct-1", "-"));
    }
    SAMPLES.put(
        SecurityEventKind.ACCOUNT_CREATED,
        SecurityEvent.accountChanged(
            SecurityEventKind.ACCOUNT_CREATED,
            "r15",
            "127.0.0.1",
            "admin",
            "acct-1",
            "invitation"));
    SAMPLES.put(
        SecurityEventKind.ROLE_REVOKED,
        SecurityEvent.roleRevoked("r16", "127.0.0.1", "admin", "acct-1", "owner", "org-1"));
    for (SecurityEventKind k :
        List.of(SecurityEventKind.ORGANISATION_CREATED, SecurityEventKind.ORGANISATION_DELETED)) {
      SAMPLES.put(
          k, SecurityEvent.organisationChanged(k, "r17", "127.0.0.1", "admin", "org-1", "acme"));
    }
    SAMPLES.put(
        SecurityEventKind.AUDIT_DROPPED,
        SecurityEvent.auditDropped(
            "postgres", "PostgreSQL at 10.0.0.5:5432 schema bulwark", 1, "unreachable"));
    for (SecurityEventKind k :
        List.of(
            SecurityEventKind.PASSWORD_RESET_REQUESTED,
            SecurityEventKind.PASSWORD_RESET_COMPLETED,
            SecurityEventKind.EMAIL_VERIFIED)) {
      SAMPLES.put(
          k, SecurityEvent.accountMail(k, "r15", "192.0.2.1", "reset", "acct-1", "mail queued"));
    }
    SAMPLES.put(
        SecurityEventKind.MAIL_FAILED,
        SecurityEvent.mailFailed("smtp.example.com:587", "connection refused"));
  }

  private static SecurityEvent sample(SecurityEventKind kind) {
    return java.util.Objects.requireNonNull(SAMPLES.get(kind), kind.name());
  }

  private static JsonNode line(SecurityEvent e) throws Exception {
    List<String> lines = new ArrayList<>();
    new SecurityLog(lines::add).accept(e);
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).doesNotContain("\n");
    return JSON.readTree(lines.get(0));
  }

  private static List<String> names(JsonNode n) {
    List<String> out = new ArrayList<>();
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      out.add(it.next());
    }
    return out;
  }

  @Test
  void everyKindHasASampleHere() {
    assertThat(SAMPLES).containsOnlyKeys(SecurityEventKind.values());
  }

  @Test
  void everyLineStartsWithTypeTimeAndTheKindsWireName() throws Exception {
    for (SecurityEvent e : SAMPLES.values()) {
      JsonNode n = line(e);
      assertThat(names(n)).startsWith("type", "time", "event", "requestId", "client");
      assertThat(n.get("type").asText()).isEqualTo("security");
      assertThat(n.get("event").asText()).isEqualTo(e.kind().wireName());
      assertThat(n.get("time").asText())
          .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
      assertThat(n.get("requestId").isTextual()).isTrue();
      assertThat(n.get("client").isTextual()).isTrue();
    }
  }

  @Test
  void theWireNamesAreTheOnesLogConsumersMatchOn() {
    assertThat(SecurityEventKind.values())
        .extracting(SecurityEventKind::wireName)
        .containsExactly(
            "token-invalid",
            "token-expired",
            "access-denied",
            "ban",
            "unban",
            "request-refused",
            "upstream-failure",
            "response-blocked",
            "upstream-error-masked",
            "secret-unavailable",
            "secret-rotated",
            "secret-rotation-refused",
            "admin-auth-failed",
            "certificate-refused",
            "login-succeeded",
            "login-failed",
            "mfa-failed",
            "credential-stuffing-suspected",
            "login-throttled",
            "signature-invalid",
            "signature-replayed",
            "digest-mismatch",
            "role-granted",
            "refresh-token-reused",
            "config-reloaded",
            "idempotency-key-mismatch",
            "duplicate-request",
            "session-revoked",
            "account-created",
            "account-disabled",
            "account-enabled",
            "account-deleted",
            "second-factor-removed",
            "role-revoked",
            "organisation-created",
            "organisation-deleted",
            "audit-dropped",
            "password-reset-requested",
            "password-reset-completed",
            "email-verified",
            "mail-failed",
            "second-factor-enrolment-started",
            "second-factor-enrolled",
            "recovery-codes-replaced");
  }

  @Test
  void adminChangesToAccountsNameTheAccountByIdAndWhoActed() throws Exception {
    JsonNode created = line(sample(SecurityEventKind.ACCOUNT_CREATED));
    assertThat(names(created))
        .containsExactly(
            "type", "time", "event", "requestId", "client", "subject", "account", "how");
    assertThat(created.get("how").asText()).isEqualTo("invitation");
    JsonNode deleted = line(sample(SecurityEventKind.ACCOUNT_DELETED));
    assertThat(deleted.has("how")).isFalse();
    JsonNode revoked = line(sample(SecurityEventKind.ROLE_REVOKED));
    assertThat(names(revoked))
        .containsExactly(
            "type",
            "time",
            "event",
            "requestId",
            "client",
            "subject",
            "account",
            "role",
            "organisation");
    JsonNode org = line(sample(SecurityEventKind.ORGANISATION_DELETED));
    assertThat(org.get("slug").asText()).isEqualTo("acme");
  }

  @Test
  void aRefusedAdminCallSaysWhatWasAskedAndWhyButNeverTheToken() throws Exception {
    JsonNode n = line(sample(SecurityEventKind.ADMIN_AUTH_FAILED));
    assertThat(names(n))
        .containsExactly(
            "type",
            "time",
            "event",
            "requestId",
            "client",
            "route",
            "status",
            "reason",
            "method",
            "path");
    assertThat(n.get("status").isNumber()).isTrue();
    assertThat(n.get("route").asText()).isEqualTo("admin");
    assertThat(n.get("path").asText()).isEqualTo("/bans");
    String longPath = "/" + "x".repeat(5000);
    JsonNode cut =
        line(SecurityEvent.adminAuthFailed("r11", "192.0.2.9", 401, "no token", "GET", longPath));
    assertThat(cut.get("path").asText()).hasSize(200);
  }

  @Test
  void loginEventsNameTheLoginAndFactorButNeverAPassword() throws Exception {
    JsonNode failed = line(sample(SecurityEventKind.LOGIN_FAILED));
    assertThat(names(failed))
        .containsExactly(
            "type",
            "time",
            "event",
            "requestId",
            "client",
            "route",
            "reason",
            "login",
            "factor",
            "failures");
    assertThat(failed.get("failures").isNumber()).isTrue();
    JsonNode ok = line(sample(SecurityEventKind.LOGIN_SUCCEEDED));
    assertThat(ok.get("subject").asText()).isEqualTo("alice");
    assertThat(ok.has("failures")).isFalse();
    JsonNode stuffing = line(sample(SecurityEventKind.CREDENTIAL_STUFFING_SUSPECTED));
    assertThat(stuffing.get("pattern").asText()).isEqualTo("names-per-address");
    assertThat(stuffing.get("distinct").asLong()).isEqualTo(20);
  }

  @Test
  void credentialEventsCarryRouteReasonAndTheEndpointTheyCameThrough() throws Exception {
    JsonNode invalid = line(sample(SecurityEventKind.TOKEN_INVALID));
    assertThat(names(invalid))
        .containsExactly("type", "time", "event", "requestId", "client", "route", "reason");
    assertThat(invalid.get("reason").asText()).isEqualTo("bad signature");
    JsonNode expired = line(sample(SecurityEventKind.TOKEN_EXPIRED));
    assertThat(expired.get("via").asText()).isEqualTo("forward-auth");
    assertThat(expired.get("route").asText()).isEqualTo("orgs");
  }

  @Test
  void accessDeniedCarriesSubjectMethodAndRule() throws Exception {
    JsonNode n = line(sample(SecurityEventKind.ACCESS_DENIED));
    assertThat(names(n))
        .containsExactly(
            "type", "time", "event", "requestId", "client", "route", "subject", "method", "rule");
    assertThat(n.get("subject").asText()).isEqualTo("alice");
    assertThat(n.get("method").asText()).isEqualTo("DELETE");
    assertThat(n.get("rule").asText()).isEqualTo("role:admin");
  }

  @Test
  void aBanCarriesRuleUntilAndRepeatAsANumber() throws Exception {
    JsonNode n = line(sample(SecurityEventKind.BAN));
    assertThat(names(n))
        .containsExactly(
            "type", "time", "event", "requestId", "client", "reason", "rule", "until", "repeat");
    assertThat(n.get("until").asText()).isEqualTo("2026-12-07T07:00:00Z");
    assertThat(n.get("repeat").isIntegralNumber()).isTrue();
    assertThat(n.get("repeat").asInt()).isEqualTo(2);
  }

  @Test
  void anUnbanFromTheAdminApiHasNoRequestIdAndSaysWhoLiftedIt() throws Exception {
    JsonNode n = line(sample(SecurityEventKind.UNBAN));
    assertThat(n.get("requestId").asText()).isEqualTo("-");
    assertThat(n.get("client").asText()).isEqualTo("192.0.2.7");
    assertThat(n.get("by").asText()).isEqualTo("admin");
    assertThat(n.has("status")).isFalse();
  }

  @Test
  void secretEventsNameTheSourceOrTheReferencesAndNeverAValue() throws Exception {
    JsonNode down = line(sample(SecurityEventKind.SECRET_UNAVAILABLE));
    assertThat(names(down))
        .containsExactly("type", "time", "event", "requestId", "client", "reason", "source");
    assertThat(down.get("source").asText()).isEqualTo("https://vault.internal:8200");
    JsonNode rotated = line(sample(SecurityEventKind.SECRET_ROTATED));
    assertThat(names(rotated))
        .containsExactly("type", "time", "event", "requestId", "client", "secrets");
    assertThat(rotated.get("secrets").asText()).isEqualTo("${vault:secret/data/bulwark#jwt-key}");
    JsonNode refused = line(sample(SecurityEventKind.SECRET_ROTATION_REFUSED));
    assertThat(names(refused))
        .containsExactly("type", "time", "event", "requestId", "client", "reason", "secrets");
  }

  @Test
  void refusalsCarryTheStatusAsANumber() throws Exception {
    for (SecurityEventKind k :
        List.of(
            SecurityEventKind.REQUEST_REFUSED,
            SecurityEventKind.UPSTREAM_FAILURE,
            SecurityEventKind.RESPONSE_BLOCKED,
            SecurityEventKind.UPSTREAM_ERROR_MASKED)) {
      JsonNode n = line(sample(k));
      assertThat(n.get("status").isIntegralNumber()).as("%s status", k).isTrue();
      assertThat(n.get("route").asText()).isEqualTo("api");
    }
    JsonNode refused = line(sample(SecurityEventKind.REQUEST_REFUSED));
    assertThat(names(refused))
        .containsExactly(
            "type", "time", "event", "requestId", "client", "route", "status", "reason");
    assertThat(refused.get("status").asInt()).isEqualTo(413);
    assertThat(line(sample(SecurityEventKind.UPSTREAM_ERROR_MASKED)).get("body").asText())
        .isEqualTo("trace [REDACTED]");
  }

  @Test
  void theCountOfHeldBackRepeatsIsANumber() throws Exception {
    List<String> lines = new ArrayList<>();
    long[] now = {0};
    SecurityEvents events = new SecurityEvents(List.of(new SecurityLog(lines::add)), () -> now[0]);
    SecurityEvent failure = sample(SecurityEventKind.UPSTREAM_FAILURE);
    events.publish(failure);
    events.publish(failure);
    events.publish(failure);
    now[0] = 2_000_000_000L;
    events.publish(failure);
    assertThat(lines).hasSize(2);
    JsonNode n = JSON.readTree(lines.get(1));
    assertThat(n.get("suppressed").isIntegralNumber()).isTrue();
    assertThat(n.get("suppressed").asLong()).isEqualTo(2);
    assertThat(JSON.readTree(lines.get(0)).has("suppressed")).isFalse();
  }

  @Test
  void hostileTextCannotBreakTheLineOrAddFields() throws Exception {
    SecurityEvent e =
        SecurityEvent.refused(
            SecurityEventKind.REQUEST_REFUSED,
            "r\"1",
            "192.0.2.1",
            "api",
            400,
            "bad\n{\"event\":\"forged\"}\u001b[31m\u2028");
    JsonNode n = line(e);
    assertThat(n.get("event").asText()).isEqualTo("request-refused");
    assertThat(n.get("reason").asText()).isEqualTo("bad\n{\"event\":\"forged\"}\u001b[31m\u2028");
    assertThat(n.get("requestId").asText()).isEqualTo("r\"1");
  }
}
