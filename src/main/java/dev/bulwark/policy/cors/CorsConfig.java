package dev.bulwark.policy.cors;

import dev.bulwark.config.ConfigNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A route's CORS allow-list: origins (exact, or {@code https://*.example.com} subdomain wildcards,
 * or {@code *} without credentials), the methods and request headers a preflight may ask for, the
 * response headers scripts may read, whether credentials are allowed, and how long a browser may
 * cache a preflight. A route's {@code cors} replaces the one in {@code defaults}.
 */
public record CorsConfig(
    boolean enabled,
    boolean anyOrigin,
    List<String> origins,
    List<String> methods,
    List<String> headers,
    List<String> exposeHeaders,
    boolean credentials,
    Duration maxAge) {

  /** No CORS policy: the route neither answers preflights nor touches CORS headers. */
  public static final CorsConfig NONE =
      new CorsConfig(
          false, false, List.of(), List.of(), List.of(), List.of(), false, Duration.ZERO);

  static final List<String> DEFAULT_METHODS = List.of("GET", "HEAD", "POST");
  static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(10);

  /**
   * Chromium caps preflight caching at 2 hours; longer only delays a tightened policy elsewhere.
   */
  static final Duration MAX_MAX_AGE = Duration.ofHours(2);

  private static final Set<String> KEYS =
      Set.of("origins", "methods", "headers", "expose-headers", "credentials", "max-age");
  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
  private static final String TOKEN_CHARS = "!#$%&'*+-.^_`|~";

  public CorsConfig {
    origins = List.copyOf(origins);
    methods = List.copyOf(methods);
    headers = List.copyOf(headers);
    exposeHeaders = List.copyOf(exposeHeaders);
  }

  /**
   * Reads {@code cors: { origins: [...], ... }} (or {@code off}) over the inherited one; lints the
   * loosening choices where they are written.
   */
  public static CorsConfig read(ConfigNode n, CorsConfig inherited) {
    if (!n.present()) {
      return inherited;
    }
    if (n.isOff()) {
      if (inherited.enabled()) {
        n.warning(
            "off: this route drops the cors policy that defaults set for every route (the"
                + " upstream's own CORS headers pass through)");
      }
      return NONE;
    }
    if (!n.expectMapping(KEYS)) {
      return inherited;
    }
    ConfigNode originsNode = n.get("origins");
    if (!originsNode.present()) {
      originsNode.error("missing (expected: a list of origins such as [https://app.example.com])");
    }
    boolean credentials = n.get("credentials").bool(false);
    boolean any = false;
    Set<String> origins = new LinkedHashSet<>();
    for (ConfigNode e : originsNode.elements()) {
      String s = e.requiredString("an origin such as https://app.example.com");
      if (s == null) {
        continue;
      }
      if (s.equals("*")) {
        any = true;
        if (credentials) {
          e.invalid(
              "a list of exact origins: \"*\" with credentials would let any site act as the"
                  + " signed-in user");
        } else {
          e.warning("*: any site may read these responses (list the origins that need them)");
        }
        continue;
      }
      OriginRule.Parsed parsed = OriginRule.parse(s);
      OriginRule rule = parsed.rule();
      if (rule == null) {
        e.invalid(String.valueOf(parsed.problem()));
        continue;
      }
      origins.add(rule.text());
      if (credentials && rule.subdomains()) {
        e.warning(
            rule.text()
                + ": with credentials, any subdomain (one taken over, or one serving user"
                + " content) can act as the signed-in user");
      } else if (credentials && rule.scheme().equals("http") && !isLocal(rule.host())) {
        e.warning(
            rule.text()
                + ": with credentials, a plain-HTTP origin can be impersonated by anyone on its"
                + " network path");
      }
    }
    if (any && !origins.isEmpty()) {
      originsNode.invalid("either \"*\" alone or a list of origins, not both");
    }
    List<String> methods = methods(n.get("methods"));
    List<String> headers = headerNames(n.get("headers"));
    List<String> expose = headerNames(n.get("expose-headers"));
    Duration maxAge = n.get("max-age").duration(DEFAULT_MAX_AGE, Duration.ZERO, MAX_MAX_AGE);
    return new CorsConfig(
        true, any, new ArrayList<>(origins), methods, headers, expose, credentials && !any, maxAge);
  }

  private static List<String> methods(ConfigNode n) {
    if (!n.present()) {
      return DEFAULT_METHODS;
    }
    Set<String> out = new LinkedHashSet<>();
    for (ConfigNode m : n.elements()) {
      String s = m.requiredString("an HTTP method");
      if (s == null) {
        continue;
      }
      String upper = s.toUpperCase(Locale.ROOT);
      if (!METHODS.contains(upper)) {
        m.invalid("one of DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
      } else {
        out.add(upper);
      }
    }
    return new ArrayList<>(out);
  }

  private static List<String> headerNames(ConfigNode n) {
    Set<String> out = new LinkedHashSet<>();
    for (ConfigNode h : n.elements()) {
      String s = h.requiredString("a header name");
      if (s == null) {
        continue;
      }
      if (s.equals("*")) {
        h.invalid("header names listed one by one (\"*\" is literal with credentials)");
      } else if (!isToken(s)) {
        h.invalid("a header name such as X-Api-Version");
      } else {
        out.add(s.toLowerCase(Locale.ROOT));
      }
    }
    return new ArrayList<>(out);
  }

  static boolean isToken(String s) {
    if (s.isEmpty() || s.length() > 256) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || TOKEN_CHARS.indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLocal(String host) {
    return host.equals("localhost") || host.endsWith(".localhost") || host.startsWith("127.");
  }
}
