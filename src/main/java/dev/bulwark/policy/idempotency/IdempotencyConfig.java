package dev.bulwark.policy.idempotency;

import dev.bulwark.config.ConfigNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A route's {@code idempotency} setting: which methods carry an {@code Idempotency-Key}, whether
 * the key is required, how long a completed response is kept and replayed, how much of its body is
 * kept, whether 5xx answers are kept, what a retry meets while the first request is in flight
 * (refused, or a bounded wait), which request headers count in the request's fingerprint, and what
 * to do when the store cannot answer. A route's setting is read over the one in {@code defaults};
 * {@code off} removes it.
 *
 * @param inFlightWait how long a retry waits for the first request's response ({@code in-flight:
 *     wait})
 */
public record IdempotencyConfig(
    boolean enabled,
    Set<String> methods,
    boolean required,
    Duration retention,
    long maxBody,
    boolean store5xx,
    boolean waitInFlight,
    Duration inFlightWait,
    List<String> fingerprintHeaders,
    boolean denyOnStoreFailure) {

  /** No idempotency enforcement (the default: a route opts in). */
  public static final IdempotencyConfig NONE =
      new IdempotencyConfig(
          false,
          Set.of(),
          true,
          Duration.ofHours(24),
          1 << 20,
          false,
          false,
          Duration.ofSeconds(5),
          List.of(),
          true);

  /** What {@code idempotency: {}} means: POST and PATCH, key required, 24 h, 1 MiB, strict. */
  public static final IdempotencyConfig DEFAULTS =
      new IdempotencyConfig(
          true,
          Set.of("POST", "PATCH"),
          true,
          Duration.ofHours(24),
          1 << 20,
          false,
          false,
          Duration.ofSeconds(5),
          List.of(),
          true);

  static final Set<String> KEYS =
      Set.of(
          "methods",
          "required",
          "retention",
          "max-body",
          "store-5xx",
          "in-flight",
          "wait",
          "fingerprint-headers",
          "on-store-failure");

  /** The methods a key may be required on: the unsafe ones (RFC 9110 section 9.2.1). */
  static final Set<String> UNSAFE = Set.of("POST", "PUT", "PATCH", "DELETE");

  private static final int MAX_HEADERS = 16;
  private static final long MAX_BODY = 16L << 20;

  public IdempotencyConfig {
    methods = Set.copyOf(methods);
    fingerprintHeaders = List.copyOf(fingerprintHeaders);
  }

  /**
   * Reads {@code idempotency}: a mapping (its keys over the inherited setting, or over {@link
   * #DEFAULTS} when none is inherited), or {@code off}; absent means the inherited one.
   */
  public static IdempotencyConfig read(ConfigNode n, IdempotencyConfig inherited) {
    if (!n.present()) {
      return inherited;
    }
    if (n.isOff()) {
      return NONE;
    }
    if (!n.expectMapping(KEYS)) {
      return inherited;
    }
    IdempotencyConfig base = inherited.enabled() ? inherited : DEFAULTS;
    Set<String> methods = readMethods(n.get("methods"), base.methods());
    ConfigNode requiredNode = n.get("required");
    boolean required = requiredNode.bool(base.required());
    if (!required && requiredNode.present()) {
      requiredNode.warning(
          "false: a request without an Idempotency-Key passes unprotected (a retried one may"
              + " execute twice)");
    }
    Duration retention =
        n.get("retention").duration(base.retention(), Duration.ofMinutes(1), Duration.ofDays(30));
    long maxBody = n.get("max-body").size(base.maxBody(), 0, MAX_BODY);
    ConfigNode store5xxNode = n.get("store-5xx");
    boolean store5xx = store5xxNode.bool(base.store5xx());
    if (store5xx && store5xxNode.present()) {
      store5xxNode.warning(
          "true: a failed execution's 5xx answer is replayed for the whole retention; its retries"
              + " never reach the upstream again");
    }
    String inFlight =
        n.get("in-flight")
            .choice(List.of("refuse", "wait"), base.waitInFlight() ? "wait" : "refuse");
    Duration wait =
        n.get("wait").duration(base.inFlightWait(), Duration.ofMillis(100), Duration.ofSeconds(60));
    if (n.get("wait").present() && !"wait".equals(inFlight)) {
      n.get("wait").error("set without in-flight: wait (a retry is refused at once)");
    }
    List<String> headers = readHeaders(n.get("fingerprint-headers"), base.fingerprintHeaders());
    boolean deny = readFailureMode(n.get("on-store-failure"), base.denyOnStoreFailure());
    return new IdempotencyConfig(
        true,
        methods,
        required,
        retention,
        maxBody,
        store5xx,
        "wait".equals(inFlight),
        wait,
        headers,
        deny);
  }

  private static Set<String> readMethods(ConfigNode n, Set<String> fallback) {
    if (!n.present()) {
      return fallback;
    }
    String expected = "a list of POST, PUT, PATCH, DELETE";
    List<ConfigNode> elements = n.elements();
    if (elements.isEmpty()) {
      n.invalid(expected);
      return fallback;
    }
    Set<String> out = new LinkedHashSet<>();
    for (ConfigNode e : elements) {
      String m = e.string(expected);
      if (m == null) {
        continue;
      }
      String upper = m.trim().toUpperCase(Locale.ROOT);
      if (!UNSAFE.contains(upper)) {
        e.invalid("POST, PUT, PATCH or DELETE (safe methods need no key)");
      } else if (!out.add(upper)) {
        e.invalid("each method once");
      }
    }
    return out.isEmpty() ? fallback : out;
  }

  private static List<String> readHeaders(ConfigNode n, List<String> fallback) {
    if (!n.present()) {
      return fallback;
    }
    List<ConfigNode> elements = n.elements();
    if (elements.size() > MAX_HEADERS) {
      n.invalid("at most " + MAX_HEADERS + " header names");
      return fallback;
    }
    List<String> out = new ArrayList<>();
    for (ConfigNode e : elements) {
      String h = e.string("a header name");
      if (h == null) {
        continue;
      }
      String lower = h.trim().toLowerCase(Locale.ROOT);
      if (!lower.matches("[a-z0-9!#$%&'*+.^_`|~-]{1,64}")) {
        e.invalid("a header name");
      } else if (lower.equals("idempotency-key")) {
        e.invalid("another header (the key itself is never part of the fingerprint)");
      } else if (out.contains(lower)) {
        e.invalid("each header once");
      } else {
        out.add(lower);
      }
    }
    return out;
  }

  private static boolean readFailureMode(ConfigNode n, boolean fallback) {
    String mode = n.string("deny or allow");
    if (mode == null) {
      return fallback;
    }
    if (mode.equals("deny")) {
      return true;
    }
    if (mode.equals("allow")) {
      n.warning(
          "allow: while the store is unreachable a request with an Idempotency-Key passes"
              + " unprotected (a retried one may execute twice; the strict choice is deny)");
      return false;
    }
    n.invalid("deny or allow");
    return fallback;
  }
}
