package dev.bulwark.policy.cors;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The compiled origin allow-list: a hash set of exact canonical origins and the few subdomain
 * wildcards. A request's origin must be byte-for-byte canonical to match, so upper case, default
 * ports, trailing dots and several origins in one value never match.
 */
final class AllowedOrigins {
  /** Longer Origin values are never compared (a host is at most 253 bytes). */
  static final int MAX_ORIGIN = 300;

  private final boolean any;
  private final Set<String> exact;
  private final OriginRule[] wildcards;

  private AllowedOrigins(boolean any, Set<String> exact, OriginRule[] wildcards) {
    this.any = any;
    this.exact = exact;
    this.wildcards = wildcards;
  }

  /** Compiles canonical entries (as {@link CorsConfig} holds them); {@code any} allows all. */
  static AllowedOrigins of(boolean any, List<String> canonical) {
    Set<String> exact = new HashSet<>();
    List<OriginRule> wildcards = new ArrayList<>();
    for (String s : canonical) {
      OriginRule rule = OriginRule.parse(s).rule();
      if (rule == null) {
        throw new IllegalArgumentException("origin: " + s + " (expected: a validated origin)");
      }
      if (rule.subdomains()) {
        wildcards.add(rule);
      } else {
        exact.add(rule.text());
      }
    }
    return new AllowedOrigins(any, Set.copyOf(exact), wildcards.toArray(new OriginRule[0]));
  }

  /** Returns whether every origin is allowed ({@code origins: ["*"]}). */
  boolean any() {
    return any;
  }

  /** Returns whether the list allows one request origin (any value when {@code *}). */
  boolean allows(String origin) {
    if (any) {
      return true;
    }
    if (origin.length() > MAX_ORIGIN) {
      return false;
    }
    if (exact.contains(origin)) {
      return true;
    }
    for (OriginRule w : wildcards) {
      if (w.matches(origin)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the request's one Origin value, or null when there is none or more than one header (a
   * browser sends exactly one).
   */
  static @Nullable String single(List<String> values) {
    return values.size() == 1 ? values.get(0) : null;
  }
}
