package dev.bulwark.exchange;

import static java.util.Objects.requireNonNull;

/**
 * An expected refusal, built once and reused: the status, the short public error text, the reason
 * written to the log (never sent), and whether the connection must be closed after the answer
 * (framing errors and unread bodies).
 */
public record Denial(
    int status, String error, String reason, boolean closeConnection, String details) {

  public Denial(int status, String error, String reason, boolean closeConnection) {
    this(status, error, reason, closeConnection, "");
  }

  public Denial {
    requireNonNull(error, "error");
    requireNonNull(reason, "reason");
    requireNonNull(details, "details");
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 400-599)");
    }
  }

  /**
   * Returns this denial with extra members appended to the base error body (a JSON fragment such as
   * {@code "violations":[...]}, built by the policy from fixed texts, never raw input).
   */
  public Denial withDetails(String jsonMembers) {
    return new Denial(status, error, reason, closeConnection, jsonMembers);
  }

  /** Returns a denial that keeps the connection open. */
  public static Denial of(int status, String error, String reason) {
    return new Denial(status, error, reason, false);
  }

  /** Returns a denial after which the connection is closed. */
  public static Denial closing(int status, String error, String reason) {
    return new Denial(status, error, reason, true);
  }

  public static final Denial NOT_FOUND = of(404, "not found", "no route");
  public static final Denial BAD_PATH = of(400, "bad request", "ambiguous or malformed path");
  public static final Denial TOO_MANY_HEADERS =
      closing(431, "request header fields too large", "too many header fields");
  public static final Denial BODY_TOO_LARGE =
      closing(413, "payload too large", "body over the route's limit");
  public static final Denial BAD_FRAMING = closing(400, "bad request", "invalid message framing");
  public static final Denial BODY_TIMEOUT =
      closing(408, "request timeout", "body not received in time");

  /** A policy failed unexpectedly (a bug): the request is refused, never forwarded or hung. */
  public static final Denial POLICY_FAILED = of(500, "internal error", "policy failed");

  public static final Denial UPSTREAM_UNREACHABLE = of(502, "bad gateway", "upstream unreachable");
  public static final Denial UPSTREAM_TIMEOUT = of(504, "gateway timeout", "upstream timed out");
  public static final Denial UPSTREAM_BAD_RESPONSE =
      of(502, "bad gateway", "upstream sent an invalid response");
}
