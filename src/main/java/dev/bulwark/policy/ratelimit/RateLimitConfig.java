package dev.bulwark.policy.ratelimit;

import dev.bulwark.config.ConfigNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A route's rate limits: each a token bucket of {@code limit} requests per {@code window} (holding
 * up to {@code burst}), one bucket per distinct value of its key. A route's {@code rate-limit}
 * replaces the one in {@code defaults}; {@code off} removes it.
 */
public record RateLimitConfig(List<Limit> limits) implements dev.bulwark.config.ClientAddressKeyed {
  /** No rate limits. */
  public static final RateLimitConfig NONE = new RateLimitConfig(List.of());

  static final Set<String> KEYS =
      Set.of("name", "key", "limit", "window", "burst", "on-store-failure");
  private static final Duration MIN_WINDOW = Duration.ofSeconds(1);
  private static final Duration MAX_WINDOW = Duration.ofDays(7);
  private static final int MAX_LIMITS = 8;

  public RateLimitConfig {
    limits = List.copyOf(limits);
  }

  /** What a bucket is keyed by: one or more parts, each known at a stage of the request. */
  public enum KeyKind {
    /** The client address (resolved through trusted proxies). */
    IP,
    /** The authenticated subject; an anonymous request falls back to its client address. */
    SUBJECT,
    /** The route: one bucket for every client of the route. */
    ROUTE,
    /** The value of a request header; a request without it falls back to its client address. */
    HEADER
  }

  /** One part of a key: its kind, and the lower-case header name for {@link KeyKind#HEADER}. */
  public record KeyPart(KeyKind kind, String header) {
    @Override
    public String toString() {
      return kind == KeyKind.HEADER ? "header:" + header : kind.name().toLowerCase(Locale.ROOT);
    }
  }

  /** One limit. {@code denyOnStoreFailure}: what to do when a cluster store cannot answer. */
  public record Limit(
      String name,
      List<KeyPart> key,
      long limit,
      Duration window,
      long burst,
      boolean denyOnStoreFailure) {
    public Limit {
      key = List.copyOf(key);
    }

    /** Returns whether the key needs the subject (so the limit runs after authentication). */
    public boolean needsSubject() {
      for (KeyPart p : key) {
        if (p.kind() == KeyKind.SUBJECT) {
          return true;
        }
      }
      return false;
    }
  }

  /** Returns whether there is no limit. */
  public boolean isEmpty() {
    return limits.isEmpty();
  }

  /**
   * Returns whether a limit is keyed, or falls back, to the client address: every key but one made
   * of {@code route} alone ({@code subject} and {@code header:} fall back for anonymous requests
   * and requests without the header).
   */
  @Override
  public boolean keyedByClientAddress() {
    for (Limit limit : limits) {
      for (KeyPart part : limit.key()) {
        if (part.kind() != KeyKind.ROUTE) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public String keyedFeature() {
    return "rate limits";
  }

  /**
   * Reads {@code rate-limit}: one limit (a mapping), several (a list), a preset name ({@code
   * login}), or {@code off}; absent means the inherited one.
   */
  public static RateLimitConfig read(ConfigNode n, RateLimitConfig inherited) {
    if (!n.present()) {
      return inherited;
    }
    if (n.isOff()) {
      if (!inherited.isEmpty()) {
        n.warning("off: this route drops the rate limits that defaults set for every route");
      }
      return NONE;
    }
    if (n.isScalar()) {
      String preset = n.string("a preset name (login), a limit, a list of limits, or off");
      if ("login".equals(preset)) {
        return RateLimitPresets.login();
      }
      if (preset != null) {
        n.invalid("a preset name (login), a limit, a list of limits, or off");
      }
      return inherited;
    }
    List<ConfigNode> nodes = n.isMapping() ? List.of(n) : n.elements();
    if (nodes.isEmpty() && !n.isMapping()) {
      n.invalid("at least one limit (or off)");
      return inherited;
    }
    if (nodes.size() > MAX_LIMITS) {
      n.invalid("at most " + MAX_LIMITS + " limits");
      return inherited;
    }
    List<Limit> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigNode e : nodes) {
      Limit l = readLimit(e);
      if (l == null) {
        continue;
      }
      if (!names.add(l.name())) {
        e.get("name").invalid("a name not used by another limit of the same route");
        continue;
      }
      out.add(l);
    }
    return new RateLimitConfig(out);
  }

  private static @Nullable Limit readLimit(ConfigNode n) {
    if (!n.expectMapping(KEYS)) {
      return null;
    }
    List<KeyPart> key = readKey(n.get("key"));
    ConfigNode limitNode = n.get("limit");
    long limit = 0;
    if (!limitNode.present()) {
      limitNode.error("missing (expected: the number of requests allowed per window, > 0)");
    } else {
      limit = limitNode.integer(0, 1, 1_000_000_000);
    }
    ConfigNode windowNode = n.get("window");
    Duration window = null;
    if (!windowNode.present()) {
      windowNode.error("missing (expected: a duration such as 1s, 1m or 1h)");
    } else {
      Duration w = windowNode.duration(Duration.ZERO, MIN_WINDOW, MAX_WINDOW);
      window = w.isZero() ? null : w;
    }
    long burst = n.get("burst").integer((int) Math.min(limit, Integer.MAX_VALUE), 1, 1_000_000_000);
    boolean deny = readFailureMode(n.get("on-store-failure"));
    if (key == null || limit <= 0 || window == null) {
      return null;
    }
    String name = n.get("name").string("a name such as per-ip-burst");
    if (name == null) {
      name = defaultName(key, window);
    } else if (!name.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
      n.get("name").invalid("lower-case letters, digits, '.', '_' and '-', at most 63");
      return null;
    }
    return new Limit(name, key, limit, window, burst, deny);
  }

  static boolean readFailureMode(ConfigNode n) {
    String mode = n.string("deny or allow");
    if (mode == null || mode.equals("deny")) {
      return true;
    }
    if (mode.equals("allow")) {
      n.warning(
          "allow: while the store is unreachable this limit lets every request through"
              + " (the strict choice is deny)");
      return false;
    }
    n.invalid("deny or allow");
    return true;
  }

  private static @Nullable List<KeyPart> readKey(ConfigNode n) {
    String expected = "ip, subject, route, header:NAME, or a list of them";
    if (!n.present()) {
      return List.of(new KeyPart(KeyKind.IP, ""));
    }
    List<ConfigNode> parts = n.isScalar() ? List.of(n) : n.elements();
    if (parts.isEmpty()) {
      n.invalid(expected);
      return null;
    }
    List<KeyPart> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    boolean ok = true;
    for (ConfigNode p : parts) {
      String s = p.string(expected);
      KeyPart part = s == null ? null : parsePart(s.trim().toLowerCase(Locale.ROOT));
      if (part == null) {
        p.invalid(expected);
        ok = false;
      } else if (!seen.add(part.toString())) {
        p.invalid("each key part once");
        ok = false;
      } else {
        out.add(part);
      }
    }
    return ok ? out : null;
  }

  private static @Nullable KeyPart parsePart(String s) {
    switch (s) {
      case "ip":
        return new KeyPart(KeyKind.IP, "");
      case "subject":
        return new KeyPart(KeyKind.SUBJECT, "");
      case "route":
        return new KeyPart(KeyKind.ROUTE, "");
      default:
        if (s.startsWith("header:") && s.substring(7).matches("[a-z0-9!#$%&'*+.^_`|~-]{1,64}")) {
          return new KeyPart(KeyKind.HEADER, s.substring(7));
        }
        return null;
    }
  }

  private static String defaultName(List<KeyPart> key, Duration window) {
    StringBuilder sb = new StringBuilder();
    for (KeyPart p : key) {
      sb.append(sb.length() == 0 ? "" : "+")
          .append(p.kind() == KeyKind.HEADER ? p.header() : p.toString());
    }
    String w = dev.bulwark.config.Units.formatDuration(window);
    return sb.append('-').append(w).toString().replaceAll("[^a-z0-9._+-]", "_");
  }
}
