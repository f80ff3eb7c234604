package dev.bulwark.policy.cors;

import dev.bulwark.exchange.DecisionTrace;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.HeaderMap;
import dev.bulwark.exchange.RequestView;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.policy.AnswersForOtherMethod;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Answers CORS preflights at the edge (204 for an allowed origin, method and headers; 403 JSON
 * otherwise; never forwarded) and, on the way out of every response of the route, removes the
 * upstream's CORS headers, adds {@code Vary: Origin}, and allows exactly the request's origin when
 * it is on the list. An origin never on the list is never reflected.
 */
public final class CorsPolicy implements Policy, AnswersForOtherMethod {
  private static final Denial ORIGIN_REFUSED =
      Denial.of(403, "forbidden", "cors preflight from an origin not on the list");
  private static final Denial METHOD_REFUSED =
      Denial.of(403, "forbidden", "cors preflight for a method not allowed");
  private static final Denial HEADERS_REFUSED =
      Denial.of(403, "forbidden", "cors preflight for request headers not allowed");

  private static final CharSequence ORIGIN = HeaderMap.constant("origin");
  private static final CharSequence REQUEST_METHOD =
      HeaderMap.constant("access-control-request-method");
  private static final CharSequence REQUEST_HEADERS =
      HeaderMap.constant("access-control-request-headers");
  private static final CharSequence ALLOW_ORIGIN =
      HeaderMap.constant("access-control-allow-origin");
  private static final CharSequence ALLOW_CREDENTIALS =
      HeaderMap.constant("access-control-allow-credentials");
  private static final CharSequence ALLOW_METHODS =
      HeaderMap.constant("access-control-allow-methods");
  private static final CharSequence ALLOW_HEADERS =
      HeaderMap.constant("access-control-allow-headers");
  private static final CharSequence EXPOSE_HEADERS =
      HeaderMap.constant("access-control-expose-headers");
  private static final CharSequence MAX_AGE = HeaderMap.constant("access-control-max-age");
  private static final CharSequence VARY = HeaderMap.constant("vary");
  private static final CharSequence TRUE = HeaderMap.constant("true");
  private static final CharSequence ANY = HeaderMap.constant("*");

  /** What the upstream may not decide: every CORS response header is the gateway's. */
  private static final CharSequence[] UPSTREAM_CORS = {
    ALLOW_ORIGIN,
    ALLOW_CREDENTIALS,
    ALLOW_METHODS,
    ALLOW_HEADERS,
    EXPOSE_HEADERS,
    MAX_AGE,
    HeaderMap.constant("access-control-allow-private-network")
  };

  private static final String[] ACTUAL_VARY = {"Origin"};
  private static final String[] PREFLIGHT_VARY = {
    "Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"
  };

  private static final CharSequence ORIGIN_VARY_VALUE = HeaderMap.constant("Origin");
  private static final CharSequence PREFLIGHT_VARY_VALUE =
      HeaderMap.constant(String.join(", ", PREFLIGHT_VARY));

  /** A preflight asking for more request headers than this is refused without looking further. */
  private static final int MAX_REQUEST_HEADERS = 64;

  private final AllowedOrigins origins;
  private final Set<String> methods;
  private final Set<String> headers;
  private final boolean credentials;
  private final CharSequence allowMethods;
  private final @Nullable CharSequence allowHeaders;
  private final @Nullable CharSequence exposeHeaders;
  private final CharSequence maxAge;
  private final String description;

  private CorsPolicy(CorsConfig c) {
    this.description =
        "origins "
            + (c.anyOrigin()
                ? "*"
                : c.origins().isEmpty() ? "none" : String.join(", ", c.origins()))
            + "; methods "
            + String.join(", ", c.methods())
            + (c.headers().isEmpty() ? "" : "; headers " + String.join(", ", c.headers()))
            + (c.exposeHeaders().isEmpty()
                ? ""
                : "; expose " + String.join(", ", c.exposeHeaders()))
            + (c.credentials() ? "; credentials" : "")
            + "; max-age "
            + dev.bulwark.config.Units.formatDuration(c.maxAge());
    this.origins = AllowedOrigins.of(c.anyOrigin(), c.origins());
    this.methods = Set.copyOf(c.methods());
    this.headers = Set.copyOf(c.headers());
    this.credentials = c.credentials();
    this.allowMethods = HeaderMap.constant(String.join(", ", c.methods()));
    this.allowHeaders = joined(c.headers());
    this.exposeHeaders = joined(c.exposeHeaders());
    this.maxAge = HeaderMap.constant(String.valueOf(c.maxAge().toSeconds()));
  }

  /** Compiles a route's CORS settings into prebuilt header values and an origin table. */
  public static CorsPolicy compile(CorsConfig config) {
    if (!config.enabled()) {
      throw new IllegalArgumentException("cors: not enabled (expected: a configured policy)");
    }
    return new CorsPolicy(config);
  }

  /**
   * Returns the method a CORS preflight asks about ({@code OPTIONS} with {@code Origin} and {@code
   * Access-Control-Request-Method}), or null when the request is not a preflight.
   */
  public static @Nullable String preflightMethod(RequestView req) {
    if (!req.method().equals("OPTIONS") || !req.hasHeader(ORIGIN)) {
      return null;
    }
    return req.header(REQUEST_METHOD);
  }

  /** A preflight is routed by the method it asks about, to a route with a CORS policy. */
  @Override
  public @Nullable String askedMethod(RequestView request) {
    return preflightMethod(request);
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public Stage stage() {
    return Stage.CORS;
  }

  @Override
  public String name() {
    return "cors";
  }

  @Override
  public void onRequest(Exchange exchange) {
    RequestView req = exchange.request();
    String asked = preflightMethod(req);
    DecisionTrace trace = exchange.trace();
    if (asked == null) {
      // An actual request: the browser, not the gateway, keeps an unlisted origin from reading
      // the answer, which gets no CORS headers (onResponse).
      if (trace != null && req.hasHeader(ORIGIN)) {
        String origin = singleOrigin(req);
        trace.note(
            name(),
            origin == null
                ? "more than one Origin: no CORS headers"
                : origins.any() || origins.allows(origin)
                    ? "origin " + origin + " allowed"
                    : "origin " + origin + " not on the list: no CORS headers");
      }
      exchange.proceed();
      return;
    }
    String origin = singleOrigin(req);
    @Nullable Denial refused;
    if (origin == null || !origins.allows(origin)) {
      refused = ORIGIN_REFUSED;
    } else if (!methods.contains(asked)) {
      refused = METHOD_REFUSED;
    } else if (!headersAllowed(req.headers(REQUEST_HEADERS))) {
      refused = HEADERS_REFUSED;
    } else {
      refused = null;
    }
    if (trace != null) {
      trace.note(
          name(),
          "preflight from "
              + (origin == null ? "no single origin" : "origin " + origin)
              + " for "
              + asked
              + (refused == null ? ": allowed" : ": refused"));
    }
    if (refused != null) {
      exchange.deny(refused);
      return;
    }
    exchange.decide(name(), "preflight", null);
    exchange.answer(204);
  }

  @Override
  public void onResponse(Exchange exchange, ResponseHead head) {
    HeaderMap h = head.headers();
    for (CharSequence name : UPSTREAM_CORS) {
      h.remove(name);
    }
    RequestView req = exchange.request();
    boolean preflight = preflightMethod(req) != null;
    addVary(h, preflight ? PREFLIGHT_VARY : ACTUAL_VARY);
    String origin = singleOrigin(req);
    if (preflight) {
      // Preflights never reach the upstream: a generated 204 is this policy's own answer.
      if (head.fromUpstream() || head.status() != 204 || origin == null) {
        return;
      }
      allowOrigin(h, origin);
      h.set(ALLOW_METHODS, allowMethods);
      if (allowHeaders != null) {
        h.set(ALLOW_HEADERS, allowHeaders);
      }
      h.set(MAX_AGE, maxAge);
      return;
    }
    if (origins.any() || (origin != null && origins.allows(origin))) {
      allowOrigin(h, origin);
      if (exposeHeaders != null) {
        h.set(EXPOSE_HEADERS, exposeHeaders);
      }
    }
  }

  /** Returns the one Origin value, or null when there is none or more than one. */
  private static @Nullable String singleOrigin(RequestView req) {
    if (req.header(ORIGIN) == null) {
      return null; // the common case: no list allocated
    }
    return AllowedOrigins.single(req.headers(ORIGIN));
  }

  private void allowOrigin(HeaderMap h, @Nullable String origin) {
    if (origins.any() || origin == null) {
      h.set(ALLOW_ORIGIN, ANY); // "*" is never combined with credentials (a config error)
      return;
    }
    h.set(ALLOW_ORIGIN, origin);
    if (credentials) {
      h.set(ALLOW_CREDENTIALS, TRUE);
    }
  }

  private boolean headersAllowed(List<String> values) {
    int count = 0;
    for (String v : values) {
      for (String item : v.split(",", -1)) {
        String name = item.trim();
        if (name.isEmpty()) {
          continue;
        }
        if (++count > MAX_REQUEST_HEADERS || !headers.contains(name.toLowerCase(Locale.ROOT))) {
          return false;
        }
      }
    }
    return true;
  }

  /** Adds the tokens to Vary unless present (or {@code *}), keeping what the upstream listed. */
  private static void addVary(HeaderMap h, String[] tokens) {
    if (h.get(VARY) == null) {
      h.set(VARY, tokens == PREFLIGHT_VARY ? PREFLIGHT_VARY_VALUE : ORIGIN_VARY_VALUE);
      return;
    }
    List<String> existing = h.getAll(VARY);
    StringBuilder add = new StringBuilder();
    for (String t : tokens) {
      if (!listed(existing, t)) {
        add.append(add.length() == 0 ? "" : ", ").append(t);
      }
    }
    if (add.length() > 0) {
      h.add(VARY, add.toString());
    }
  }

  private static boolean listed(List<String> values, String token) {
    for (String v : values) {
      for (String item : v.split(",", -1)) {
        String t = item.trim();
        if (t.equals("*") || t.equalsIgnoreCase(token)) {
          return true;
        }
      }
    }
    return false;
  }

  private static @Nullable CharSequence joined(List<String> names) {
    return names.isEmpty() ? null : HeaderMap.constant(String.join(", ", names));
  }
}
