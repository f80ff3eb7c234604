package dev.bulwark.policy;

/**
 * The fixed order in which a request meets the policies; the response meets the entered ones in
 * reverse. Edge stages (headers, errors) come first so that every answer, including denials by
 * later stages, passes back through them.
 */
public enum Stage {
  /** Security headers and banner removal on every response. */
  HEADERS,
  /** Masking of upstream errors. */
  ERRORS,
  IP_FILTER,
  RATE_LIMIT,
  CORS,
  AUTHN,
  SUBJECT_LIMIT,
  CONTRACT,
  AUTHZ,
  IDEMPOTENCY
}
