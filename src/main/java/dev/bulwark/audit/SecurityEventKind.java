package dev.bulwark.audit;

/**
 * What happened, one constant per kind of security event the gateway writes. Each has a stable wire
 * name (the {@code event} field of a log line) that log consumers match on; renaming one is a
 * breaking change. A repeatable kind can recur once per request during an outage or a flood, so it
 * is thinned out before it reaches any sink (see {@link SecurityEvents}).
 */
public enum SecurityEventKind {
  /** A presented credential (a bearer token) was refused as invalid. */
  TOKEN_INVALID("token-invalid", false),
  /** A presented credential (a bearer token) had expired. */
  TOKEN_EXPIRED("token-expired", false),
  /** An authenticated caller was refused by the route's access rule. */
  ACCESS_DENIED("access-denied", false),
  /** A client address was banned, by a ban rule or through the admin API. */
  BAN("ban", false),
  /** A ban was lifted through the admin API. */
  UNBAN("unban", false),
  /**
   * A refusal that closes the connection ({@code 400} framing, {@code 408}, {@code 413}, {@code
   * 414}, {@code 431}), or another answer of {@code 500} or more that the gateway made itself.
   */
  REQUEST_REFUSED("request-refused", true),
  /** The gateway answered {@code 502} or {@code 504}: the upstream failed or timed out. */
  UPSTREAM_FAILURE("upstream-failure", true),
  /** An upstream response was withheld by a response check and replaced with a {@code 502}. */
  RESPONSE_BLOCKED("response-blocked", false),
  /** An upstream {@code 5xx} body was replaced by the gateway's own error. */
  UPSTREAM_ERROR_MASKED("upstream-error-masked", false),
  /**
   * A secret source (Vault) failed or refused the gateway; the last good values keep serving, and
   * nothing is refused because of it.
   */
  SECRET_UNAVAILABLE("secret-unavailable", true),
  /** A referenced secret changed and the configuration was reloaded with the new value. */
  SECRET_ROTATED("secret-rotated", false),
  /**
   * A referenced secret changed, but the configuration with the new value was refused; the old
   * value keeps serving until the secret is fixed.
   */
  SECRET_ROTATION_REFUSED("secret-rotation-refused", false),
  /**
   * A call to the admin listener without its token, with a wrong one, or from an address locked out
   * after too many wrong ones.
   */
  ADMIN_AUTH_FAILED("admin-auth-failed", true),
  /**
   * A route that asks for a client certificate refused the request: none presented ({@code 496}) or
   * one that does not verify ({@code 495}: untrusted, expired, revoked, names not allowed, chain
   * too long).
   */
  CERTIFICATE_REFUSED("certificate-refused", false),
  /** A login succeeded: the password, or the second factor that completed it. */
  LOGIN_SUCCEEDED("login-succeeded", false),
  /**
   * A login was refused: an unknown login name or a wrong password (the event does not say which).
   */
  LOGIN_FAILED("login-failed", false),
  /** A second factor (a TOTP code or a recovery code) was refused after a correct password. */
  MFA_FAILED("mfa-failed", false),
  /**
   * Failed logins look like credential stuffing or spraying: many login names from one address, or
   * many addresses against one login name, within the throttle's window.
   */
  CREDENTIAL_STUFFING_SUSPECTED("credential-stuffing-suspected", false),
  /** A login attempt was refused by the login throttle before any password was checked. */
  LOGIN_THROTTLED("login-throttled", true),
  /**
   * A signed request (HTTP Message Signatures) was refused: malformed or unknown signature, key or
   * algorithm, a required component not covered, or {@code created}/{@code expires} out of range.
   */
  SIGNATURE_INVALID("signature-invalid", false),
  /** A signed request's nonce had been seen already (on this gateway or another of the cluster). */
  SIGNATURE_REPLAYED("signature-replayed", false),
  /** A signed request's {@code Content-Digest} did not match the body received. */
  DIGEST_MISMATCH("digest-mismatch", false),
  /** A role was granted to an account ({@code subject} is who granted it). */
  ROLE_GRANTED("role-granted", false),
  /**
   * A refresh token that had already been used was presented again: its family is revoked, since
   * one of the two holders is not the account's owner.
   */
  REFRESH_TOKEN_REUSED("refresh-token-reused", false),
  /**
   * A configuration reload was applied; it carries the new file's hash and what it loosened (new
   * lint warnings, policies removed from a route, a route no longer guarded).
   */
  CONFIG_RELOADED("config-reloaded", false),
  /**
   * An {@code Idempotency-Key} came back with another request (method, path, query, body or a
   * fingerprinted header differ) and was refused with {@code 422}: a client bug, or a probe for
   * another execution's stored response.
   */
  IDEMPOTENCY_KEY_MISMATCH("idempotency-key-mismatch", false),
  /**
   * A request repeated an {@code Idempotency-Key}: answered with the stored response ({@code
   * status} is the stored one) or refused with {@code 409} while the first was still in flight; the
   * upstream did not see it.
   */
  DUPLICATE_REQUEST("duplicate-request", true),
  /**
   * Sessions were revoked: one by sign-out, all of an account ("sign out everywhere"), or one whose
   * account may no longer sign in.
   */
  SESSION_REVOKED("session-revoked", false),
  /** An account was created through the admin API, with a password or an invitation. */
  ACCOUNT_CREATED("account-created", false),
  /** An account was disabled through the admin API (its sessions revoked with it). */
  ACCOUNT_DISABLED("account-disabled", false),
  /** A disabled account was enabled again through the admin API. */
  ACCOUNT_ENABLED("account-enabled", false),
  /**
   * An account was deleted through the admin API: its personal data erased, its sessions revoked.
   */
  ACCOUNT_DELETED("account-deleted", false),
  /** An account's second factor (TOTP and recovery codes) was removed through the admin API. */
  SECOND_FACTOR_REMOVED("second-factor-removed", false),
  /** A role was taken from an account: its membership of an organisation ended. */
  ROLE_REVOKED("role-revoked", false),
  /** An organisation was created through the admin API. */
  ORGANISATION_CREATED("organisation-created", false),
  /** An organisation and every membership of it were deleted through the admin API. */
  ORGANISATION_DELETED("organisation-deleted", false),
  /**
   * An audit sink could not keep up or reach its store (PostgreSQL down past its buffer) and began
   * dropping events: raised once per outage, with the count so far.
   */
  AUDIT_DROPPED("audit-dropped", false),
  /**
   * A password reset was asked for: the answer is the same whatever the account, this event says
   * what was done ({@code reason}: mail queued, no such account, limit reached...).
   */
  PASSWORD_RESET_REQUESTED("password-reset-requested", true),
  /** A password was set with a reset (or invitation) token; every session of the account ended. */
  PASSWORD_RESET_COMPLETED("password-reset-completed", false),
  /** An account's email address was verified with a mailed token. */
  EMAIL_VERIFIED("email-verified", false),
  /** A mail could not be sent (SMTP failure, timeout, or the queue was full) and was dropped. */
  MAIL_FAILED("mail-failed", true),
  /**
   * An account asked for a TOTP secret to enrol on the login API; nothing is active until a code
   * confirms it.
   */
  SECOND_FACTOR_ENROLMENT_STARTED("second-factor-enrolment-started", false),
  /** An account confirmed a TOTP secret with a code on the login API: its second factor is on. */
  SECOND_FACTOR_ENROLLED("second-factor-enrolled", false),
  /** An account replaced its recovery codes on the login API, with a second factor. */
  RECOVERY_CODES_REPLACED("recovery-codes-replaced", false);

  private final String wireName;
  private final boolean repeatable;

  SecurityEventKind(String wireName, boolean repeatable) {
    this.wireName = wireName;
    this.repeatable = repeatable;
  }

  /** Returns the name written in the {@code event} field of a log line. */
  public String wireName() {
    return wireName;
  }

  /** Returns whether runs of identical events of this kind are thinned out before the sinks. */
  public boolean repeatable() {
    return repeatable;
  }
}
