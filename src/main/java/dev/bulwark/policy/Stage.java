package dev.bulwark.policy;

/**
 * The fixed order in which a request meets the policies; the response meets the entered ones in
 * reverse. Edge stages ({@link #edge()}) come first and are met by every exchange, routed or not:
 * every answer, including denials by later stages and by the gateway itself, passes back through
 * them.
 */
public enum Stage {
  /** Security headers and banner removal on every response. */
  HEADERS,
  /** Masking of upstream errors. */
  ERRORS,
  /**
   * Refusal of banned clients, before the request is routed or parsed further (gateway-wide
   * policies: {@link ClientCheck}).
   */
  BANS,
  IP_FILTER,
  RATE_LIMIT,
  CORS,
  /**
   * Verification of the client certificate on routes that ask for one: after CORS, since browsers
   * send no certificate with a preflight, and before authentication, which may take it as the
   * credential.
   */
  CLIENT_CERT,
  AUTHN,
  SUBJECT_LIMIT,
  CONTRACT,
  AUTHZ,
  IDEMPOTENCY;

  /** Returns whether every exchange meets this stage, whichever route it takes (or none). */
  public boolean edge() {
    return this == HEADERS || this == ERRORS || this == BANS;
  }
}
