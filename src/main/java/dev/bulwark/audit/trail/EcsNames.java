package dev.bulwark.audit.trail;

/**
 * The names a record body gives an event's fields: Elastic Common Schema names where ECS has one
 * ({@code @timestamp}, {@code event.action}, {@code event.outcome}, {@code event.reason}, {@code
 * http.request.id}, {@code source.ip}, {@code user.id}, {@code user_agent.original}, {@code
 * url.path}, {@code http.request.method}, {@code http.response.status_code}), {@code bulwark.*} for
 * Bulwark's own. Also reads the names of schema 1 (the first slice's bodies, which carry the
 * security log line's names) so that old records search like new ones.
 */
final class EcsNames {
  /** The schema a body is written in; a body without {@code bulwark.schema} is schema 1. */
  static final int SCHEMA = 2;

  static final String SCHEMA_FIELD = "bulwark.schema";
  static final String TIMESTAMP = "@timestamp";
  static final String ACTION = "event.action";
  static final String OUTCOME = "event.outcome";
  static final String REASON = "event.reason";
  static final String REQUEST_ID = "http.request.id";
  static final String SOURCE_IP = "source.ip";
  static final String USER_ID = "user.id";
  static final String USER_AGENT = "user_agent.original";
  static final String URL_PATH = "url.path";
  static final String TARGET = "bulwark.target";
  static final String TRUNCATED = "bulwark.truncated";

  private EcsNames() {}

  /**
   * Returns the record name of a field the event writes under {@code name} (the security log line's
   * name); {@code client} is the source of the request, except in a ban or unban, where it is the
   * address acted on.
   */
  static String of(String action, String name) {
    return switch (name) {
      case "time" -> TIMESTAMP;
      case "event" -> ACTION;
      case "requestId" -> REQUEST_ID;
      case "client" -> isBanChange(action) ? TARGET : SOURCE_IP;
      case "route" -> "bulwark.route";
      case "status" -> "http.response.status_code";
      case "reason" -> REASON;
      case "subject" -> USER_ID;
      case "via" -> "bulwark.via";
      case "method" -> "http.request.method";
      case "path" -> URL_PATH;
      default -> "bulwark." + name;
    };
  }

  private static boolean isBanChange(String action) {
    return action.equals("ban") || action.equals("unban");
  }

  /**
   * Returns the ECS outcome of an event by its action: {@code failure} for a refusal or a failure,
   * {@code success} for a change made, {@code unknown} for an action this version does not know.
   */
  static String outcome(String action) {
    return switch (action) {
      case "ban",
          "unban",
          "secret-rotated",
          "account-created",
          "account-disabled",
          "account-enabled",
          "account-deleted",
          "second-factor-removed",
          "role-revoked",
          "organisation-created",
          "organisation-deleted" ->
          "success";
      case "token-invalid",
          "token-expired",
          "access-denied",
          "request-refused",
          "upstream-failure",
          "response-blocked",
          "upstream-error-masked",
          "secret-unavailable",
          "secret-rotation-refused",
          "admin-auth-failed",
          "certificate-refused",
          "audit-dropped" ->
          "failure";
      default ->
          action.endsWith(".failure") || action.endsWith("-failed")
              ? "failure"
              : action.endsWith(".success") ? "success" : "unknown";
    };
  }
}
