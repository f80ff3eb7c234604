package dev.bulwark.audit;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One security event: its kind, when it happened, the request and client it concerns, the common
 * facts (route, the response status, the reason, the authenticated subject, the channel it came
 * through), the kind's own {@link EventDetail}, and how many identical events were held back before
 * it. Immutable; made by the factory of its kind, so each kind always carries the same fields.
 *
 * @param kind what happened
 * @param epochMillis when, in milliseconds since the epoch
 * @param requestId the request's id (an admin call's own), or {@link #NO_REQUEST} for an event no
 *     request caused
 * @param client the client address (the address banned, for a ban)
 * @param route the route's name, or null when the event concerns no route
 * @param status the response status (or the upstream's, where the kind says so), or 0 when none
 * @param reason why, in words, or null
 * @param subject the authenticated caller, or null
 * @param via the gateway endpoint that made the check ({@code forward-auth}), or null for the
 *     request's own route
 * @param detail the kind's own fields
 * @param suppressed identical events held back since the previous one of a repeatable kind
 * @param origin where the request that caused the event came from (the caller's address, user agent
 *     and path), when the publisher knows it; kept by the audit trail, not the log line
 */
public record SecurityEvent(
    SecurityEventKind kind,
    long epochMillis,
    String requestId,
    String client,
    @Nullable String route,
    int status,
    @Nullable String reason,
    @Nullable String subject,
    @Nullable String via,
    EventDetail detail,
    long suppressed,
    @Nullable Origin origin) {

  /** The request id of an event that no request caused. */
  public static final String NO_REQUEST = "-";

  /**
   * The request behind an event as the audit trail records it: the caller's address (for an admin
   * change, the operator's, as the event's client is the address acted on), its user agent and the
   * path asked (without its query, which may carry credentials). Each may be null.
   */
  public record Origin(
      @Nullable String address, @Nullable String userAgent, @Nullable String path) {
    public Origin {
      if (path != null && path.indexOf('?') >= 0) {
        path = path.substring(0, path.indexOf('?'));
      }
    }
  }

  /** An event without a known origin (every factory makes one; see {@link #withOrigin}). */
  public SecurityEvent(
      SecurityEventKind kind,
      long epochMillis,
      String requestId,
      String client,
      @Nullable String route,
      int status,
      @Nullable String reason,
      @Nullable String subject,
      @Nullable String via,
      EventDetail detail,
      long suppressed) {
    this(
        kind,
        epochMillis,
        requestId,
        client,
        route,
        status,
        reason,
        subject,
        via,
        detail,
        suppressed,
        null);
  }

  /** Receives an event's fields in a fixed order, each with its type (a sink's serializer). */
  public interface Fields {
    /** Receives a text field. */
    void text(String name, String value);

    /** Receives a whole-number field. */
    void number(String name, long value);
  }

  public SecurityEvent {
    requireNonNull(kind, "kind");
    requireNonNull(requestId, "requestId");
    requireNonNull(client, "client");
    requireNonNull(detail, "detail");
    if (status < 0) {
      throw new IllegalArgumentException("status: " + status + " (expected: >= 0)");
    }
    if (suppressed < 0) {
      throw new IllegalArgumentException("suppressed: " + suppressed + " (expected: >= 0)");
    }
  }

  /**
   * A request the gateway refused or could not serve: {@link SecurityEventKind#REQUEST_REFUSED},
   * {@link SecurityEventKind#UPSTREAM_FAILURE} or {@link SecurityEventKind#RESPONSE_BLOCKED} (whose
   * status is the upstream's).
   */
  public static SecurityEvent refused(
      SecurityEventKind kind,
      String requestId,
      String client,
      String route,
      int status,
      String reason) {
    if (kind != SecurityEventKind.REQUEST_REFUSED
        && kind != SecurityEventKind.UPSTREAM_FAILURE
        && kind != SecurityEventKind.RESPONSE_BLOCKED) {
      throw new IllegalArgumentException("kind: " + kind + " (expected: a refusal)");
    }
    return new SecurityEvent(
        kind,
        System.currentTimeMillis(),
        requestId,
        client,
        requireNonNull(route, "route"),
        status,
        requireNonNull(reason, "reason"),
        null,
        null,
        EventDetail.none(),
        0);
  }

  /**
   * A presented credential that was refused: {@link SecurityEventKind#TOKEN_INVALID}, {@link
   * SecurityEventKind#TOKEN_EXPIRED}, or a signed request's {@link
   * SecurityEventKind#SIGNATURE_INVALID}, {@link SecurityEventKind#SIGNATURE_REPLAYED} or {@link
   * SecurityEventKind#DIGEST_MISMATCH}, with the verifier's reason.
   */
  public static SecurityEvent credentialRefused(
      SecurityEventKind kind, String requestId, String client, String route, String reason) {
    if (kind != SecurityEventKind.TOKEN_INVALID
        && kind != SecurityEventKind.TOKEN_EXPIRED
        && kind != SecurityEventKind.SIGNATURE_INVALID
        && kind != SecurityEventKind.SIGNATURE_REPLAYED
        && kind != SecurityEventKind.DIGEST_MISMATCH) {
      throw new IllegalArgumentException("kind: " + kind + " (expected: a refused credential)");
    }
    return new SecurityEvent(
        kind,
        System.currentTimeMillis(),
        requestId,
        client,
        requireNonNull(route, "route"),
        0,
        requireNonNull(reason, "reason"),
        null,
        null,
        EventDetail.none(),
        0);
  }

  /**
   * A client certificate missing ({@code 496}) or refused ({@code 495}) on a route that asks for
   * one, with the reason (logged, never sent to the client).
   */
  public static SecurityEvent certificateRefused(
      String requestId, String client, String route, int status, String reason) {
    return new SecurityEvent(
        SecurityEventKind.CERTIFICATE_REFUSED,
        System.currentTimeMillis(),
        requestId,
        client,
        requireNonNull(route, "route"),
        status,
        requireNonNull(reason, "reason"),
        null,
        null,
        EventDetail.none(),
        0);
  }

  /**
   * A repeated {@code Idempotency-Key}: {@link SecurityEventKind#IDEMPOTENCY_KEY_MISMATCH} or
   * {@link SecurityEventKind#DUPLICATE_REQUEST}, with the status answered, the caller (null on a
   * public route) and what was done.
   */
  public static SecurityEvent idempotencyKeyRepeated(
      SecurityEventKind kind,
      String requestId,
      String client,
      String route,
      int status,
      @Nullable String subject,
      String reason) {
    if (kind != SecurityEventKind.IDEMPOTENCY_KEY_MISMATCH
        && kind != SecurityEventKind.DUPLICATE_REQUEST) {
      throw new IllegalArgumentException("kind: " + kind + " (expected: a repeated key)");
    }
    return new SecurityEvent(
        kind,
        System.currentTimeMillis(),
        requestId,
        client,
        requireNonNull(route, "route"),
        status,
        requireNonNull(reason, "reason"),
        subject,
        null,
        EventDetail.none(),
        0);
  }

  /** An authenticated caller refused by the access rule for the request's method. */
  public static SecurityEvent accessDenied(
      String requestId, String client, String route, String subject, String method, String rule) {
    return new SecurityEvent(
        SecurityEventKind.ACCESS_DENIED,
        System.currentTimeMillis(),
        requestId,
        client,
        requireNonNull(route, "route"),
        0,
        null,
        requireNonNull(subject, "subject"),
        null,
        new EventDetail.AccessRule(method, rule),
        0);
  }

  /** A ban made on {@code client} by {@code rule} ({@code admin} for the admin API). */
  public static SecurityEvent ban(
      String requestId, String client, String rule, Instant until, int repeat, String reason) {
    return new SecurityEvent(
        SecurityEventKind.BAN,
        System.currentTimeMillis(),
        requestId,
        client,
        null,
        0,
        requireNonNull(reason, "reason"),
        null,
        null,
        new EventDetail.BanMade(rule, until, repeat),
        0);
  }

  /** A ban on {@code client} lifted by {@code by}. */
  public static SecurityEvent unban(String requestId, String client, String by) {
    return new SecurityEvent(
        SecurityEventKind.UNBAN,
        System.currentTimeMillis(),
        requestId,
        client,
        null,
        0,
        null,
        null,
        null,
        new EventDetail.BanLifted(by),
        0);
  }

  /**
   * A refused admin call: {@code status} 401 (no token, a malformed or a wrong one) or 429 (the
   * address is locked out), for the method and path asked (the path cut to 200 characters).
   */
  public static SecurityEvent adminAuthFailed(
      String requestId, String client, int status, String reason, String method, String path) {
    return new SecurityEvent(
        SecurityEventKind.ADMIN_AUTH_FAILED,
        System.currentTimeMillis(),
        requestId,
        client,
        "admin",
        status,
        requireNonNull(reason, "reason"),
        null,
        null,
        new EventDetail.AdminRequest(method, path.length() <= 200 ? path : path.substring(0, 200)),
        0);
  }

  /** An upstream error answer whose body was masked; {@code body} is already made safe to log. */
  public static SecurityEvent upstreamErrorMasked(
      String requestId, String client, String route, int upstreamStatus, String body) {
    return new SecurityEvent(
        SecurityEventKind.UPSTREAM_ERROR_MASKED,
        System.currentTimeMillis(),
        requestId,
        client,
        requireNonNull(route, "route"),
        upstreamStatus,
        null,
        null,
        null,
        new EventDetail.MaskedBody(body),
        0);
  }

  /** A secret source that failed at {@code address}; the last good values keep serving. */
  public static SecurityEvent secretUnavailable(String address, String reason) {
    return new SecurityEvent(
        SecurityEventKind.SECRET_UNAVAILABLE,
        System.currentTimeMillis(),
        NO_REQUEST,
        NO_REQUEST,
        null,
        0,
        requireNonNull(reason, "reason"),
        null,
        null,
        new EventDetail.SecretSource(address),
        0);
  }

  /**
   * Referenced secrets that changed: applied by a reload, or refused with {@code reason} (the first
   * problem found) while the old values keep serving.
   */
  public static SecurityEvent secretRotation(
      boolean applied, List<String> references, @Nullable String reason) {
    return new SecurityEvent(
        applied ? SecurityEventKind.SECRET_ROTATED : SecurityEventKind.SECRET_ROTATION_REFUSED,
        System.currentTimeMillis(),
        NO_REQUEST,
        NO_REQUEST,
        null,
        0,
        applied ? null : requireNonNull(reason, "reason"),
        null,
        null,
        new EventDetail.ChangedSecrets(references),
        0);
  }

  /**
   * A login attempt that succeeded or failed: {@link SecurityEventKind#LOGIN_SUCCEEDED} (whose
   * subject is the login name), {@link SecurityEventKind#LOGIN_FAILED} or {@link
   * SecurityEventKind#MFA_FAILED}, for the factor tried, with the failures counted so far.
   */
  public static SecurityEvent loginAttempt(
      SecurityEventKind kind,
      String requestId,
      String client,
      @Nullable String route,
      String login,
      String factor,
      long failures) {
    if (kind != SecurityEventKind.LOGIN_SUCCEEDED
        && kind != SecurityEventKind.LOGIN_FAILED
        && kind != SecurityEventKind.MFA_FAILED) {
      throw new IllegalArgumentException("kind: " + kind + " (expected: a login attempt)");
    }
    boolean ok = kind == SecurityEventKind.LOGIN_SUCCEEDED;
    return new SecurityEvent(
        kind,
        System.currentTimeMillis(),
        requestId,
        client,
        route,
        0,
        ok ? null : (kind == SecurityEventKind.MFA_FAILED ? "wrong second factor" : "wrong login"),
        ok ? login : null,
        null,
        new EventDetail.LoginAttempt(login, factor, failures),
        0);
  }

  /**
   * Failed logins that look like credential stuffing: {@code pattern} is {@code names-per-address}
   * or {@code addresses-per-name}, {@code distinct} how many names or addresses failed in the
   * window.
   */
  public static SecurityEvent credentialStuffing(
      String requestId,
      String client,
      @Nullable String route,
      String pattern,
      String login,
      long distinct) {
    return new SecurityEvent(
        SecurityEventKind.CREDENTIAL_STUFFING_SUSPECTED,
        System.currentTimeMillis(),
        requestId,
        client,
        route,
        0,
        "credential stuffing suspected",
        null,
        null,
        new EventDetail.StuffingPattern(pattern, login, distinct),
        0);
  }

  /** A login attempt refused by the throttle, answered {@code 429}, before any password check. */
  public static SecurityEvent loginThrottled(
      String requestId, String client, @Nullable String route, String login, String factor) {
    return new SecurityEvent(
        SecurityEventKind.LOGIN_THROTTLED,
        System.currentTimeMillis(),
        requestId,
        client,
        route,
        429,
        "login throttled",
        null,
        null,
        new EventDetail.LoginAttempt(login, factor, 0),
        0);
  }

  /**
   * A role granted to {@code account} by {@code grantedBy} (an admin's subject), in {@code
   * organisation} ({@code -} for a gateway-wide role).
   */
  public static SecurityEvent roleGranted(
      String requestId,
      String client,
      String grantedBy,
      String account,
      String role,
      String organisation) {
    return new SecurityEvent(
        SecurityEventKind.ROLE_GRANTED,
        System.currentTimeMillis(),
        requestId,
        client,
        null,
        0,
        null,
        requireNonNull(grantedBy, "grantedBy"),
        null,
        new EventDetail.RoleGrant(account, role, organisation),
        0);
  }

  /**
   * A reload applied from a file whose bytes hash to {@code sha256}, with what it loosened (empty
   * when nothing).
   */
  public static SecurityEvent configReloaded(String sha256, List<String> loosened) {
    return new SecurityEvent(
        SecurityEventKind.CONFIG_RELOADED,
        System.currentTimeMillis(),
        NO_REQUEST,
        NO_REQUEST,
        null,
        0,
        null,
        null,
        null,
        new EventDetail.ConfigReload(sha256, loosened),
        0);
  }

  /** Returns this event as made by a gateway endpoint ({@code forward-auth}) for another route. */
  public SecurityEvent withVia(String endpoint) {
    return new SecurityEvent(
        kind,
        epochMillis,
        requestId,
        client,
        route,
        status,
        reason,
        subject,
        requireNonNull(endpoint, "endpoint"),
        detail,
        suppressed,
        origin);
  }

  /** Returns this event carrying where its request came from (for the audit trail). */
  public SecurityEvent withOrigin(Origin origin) {
    return new SecurityEvent(
        kind,
        epochMillis,
        requestId,
        client,
        route,
        status,
        reason,
        subject,
        via,
        detail,
        suppressed,
        requireNonNull(origin, "origin"));
  }

  /** Returns this event carrying how many identical events were held back before it. */
  SecurityEvent withSuppressed(long held) {
    return new SecurityEvent(
        kind,
        epochMillis,
        requestId,
        client,
        route,
        status,
        reason,
        subject,
        via,
        detail,
        held,
        origin);
  }

  /**
   * Writes the fields, in this order, leaving out those the event does not have: {@code requestId},
   * {@code client}, {@code route}, {@code status}, {@code reason}, {@code subject}, {@code via},
   * the detail's fields, {@code suppressed}. The kind and time are not fields: sinks read them from
   * {@link #kind()} and {@link #epochMillis()}.
   */
  public void writeFields(Fields out) {
    out.text("requestId", requestId);
    out.text("client", client);
    if (route != null) {
      out.text("route", route);
    }
    if (status != 0) {
      out.number("status", status);
    }
    if (reason != null) {
      out.text("reason", reason);
    }
    if (subject != null) {
      out.text("subject", subject);
    }
    if (via != null) {
      out.text("via", via);
    }
    detail.writeTo(out);
    if (suppressed > 0) {
      out.number("suppressed", suppressed);
    }
  }

  /**
   * A refresh token of {@code account}'s session presented after it had been rotated away: the
   * session was revoked.
   */
  public static SecurityEvent refreshTokenReused(
      String requestId, String client, String account, String session) {
    return new SecurityEvent(
        SecurityEventKind.REFRESH_TOKEN_REUSED,
        System.currentTimeMillis(),
        requestId,
        client,
        null,
        0,
        "refresh token presented after rotation; session revoked",
        requireNonNull(account, "account"),
        null,
        new EventDetail.Session(session, 1, "reuse"),
        0);
  }

  /** Sessions of {@code account} revoked ({@code session} is {@code *} for all of them). */
  public static SecurityEvent sessionsRevoked(
      String requestId, String client, String account, String session, int count, String by) {
    return new SecurityEvent(
        SecurityEventKind.SESSION_REVOKED,
        System.currentTimeMillis(),
        requestId,
        client,
        null,
        0,
        null,
        requireNonNull(account, "account"),
        null,
        new EventDetail.Session(session, count, by),
        0);
  }

  /**
   * An admin change to an account ({@link SecurityEventKind#ACCOUNT_CREATED}, {@code
   * ACCOUNT_DISABLED}, {@code ACCOUNT_ENABLED}, {@code ACCOUNT_DELETED}, {@code
   * SECOND_FACTOR_REMOVED}) made by {@code by} from {@code client}; {@code how} says how a created
   * account signs in first ({@code password}, {@code invitation}), else {@code -}.
   */
  public static SecurityEvent accountChanged(
      SecurityEventKind kind,
      String requestId,
      String client,
      String by,
      String account,
      String how) {
    return new SecurityEvent(
        requireNonNull(kind, "kind"),
        System.currentTimeMillis(),
        requestId,
        client,
        null,
        0,
        null,
        requireNonNull(by, "by"),
        null,
        new EventDetail.AccountChange(account, how),
        0);
  }

  /**
   * A role taken from {@code account} by {@code revokedBy} in {@code organisation} (its membership
   * ended, or the organisation was deleted).
   */
  public static SecurityEvent roleRevoked(
      String requestId,
      String client,
      String revokedBy,
      String account,
      String role,
      String organisation) {
    return new SecurityEvent(
        SecurityEventKind.ROLE_REVOKED,
        System.currentTimeMillis(),
        requestId,
        client,
        null,
        0,
        null,
        requireNonNull(revokedBy, "revokedBy"),
        null,
        new EventDetail.RoleGrant(account, role, organisation),
        0);
  }

  /**
   * An organisation created or deleted ({@link SecurityEventKind#ORGANISATION_CREATED}, {@code
   * ORGANISATION_DELETED}) by {@code by} from {@code client}.
   */
  public static SecurityEvent organisationChanged(
      SecurityEventKind kind,
      String requestId,
      String client,
      String by,
      String organisation,
      String slug) {
    return new SecurityEvent(
        requireNonNull(kind, "kind"),
        System.currentTimeMillis(),
        requestId,
        client,
        null,
        0,
        null,
        requireNonNull(by, "by"),
        null,
        new EventDetail.OrganisationChange(organisation, slug),
        0);
  }

  /**
   * The audit sink {@code sink} at {@code location} began dropping events ({@code dropped} so far):
   * its store is away and its buffer is full.
   */
  public static SecurityEvent auditDropped(
      String sink, String location, long dropped, String reason) {
    return new SecurityEvent(
        SecurityEventKind.AUDIT_DROPPED,
        System.currentTimeMillis(),
        NO_REQUEST,
        NO_REQUEST,
        null,
        0,
        requireNonNull(reason, "reason"),
        null,
        null,
        new EventDetail.AuditSink(sink, location, dropped),
        0);
  }

  /**
   * A step of a password reset or email verification ({@link
   * SecurityEventKind#PASSWORD_RESET_REQUESTED}, {@link
   * SecurityEventKind#PASSWORD_RESET_COMPLETED}, {@link SecurityEventKind#EMAIL_VERIFIED}): the
   * account concerned (null when none was found) and what was done.
   */
  public static SecurityEvent accountMail(
      SecurityEventKind kind,
      String requestId,
      String client,
      @Nullable String route,
      @Nullable String account,
      @Nullable String reason) {
    return new SecurityEvent(
        kind,
        System.currentTimeMillis(),
        requestId,
        client,
        route,
        0,
        reason,
        account,
        null,
        EventDetail.none(),
        0);
  }

  /** A mail that was dropped: the SMTP server ({@code host:port}) and why, in words. */
  public static SecurityEvent mailFailed(String server, String reason) {
    return new SecurityEvent(
        SecurityEventKind.MAIL_FAILED,
        System.currentTimeMillis(),
        NO_REQUEST,
        "-",
        null,
        0,
        requireNonNull(reason, "reason"),
        null,
        null,
        new EventDetail.MailServer(server),
        0);
  }
}
