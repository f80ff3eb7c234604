package dev.bulwark.routing;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Matches a request's host: any host, one exact name, or any subdomain of {@code *.example.com}.
 */
public final class HostMatcher {
  /** Orders exact names before wildcards before any host. */
  public static final java.util.Comparator<HostMatcher> SPECIFICITY =
      (a, b) -> Integer.compare(b.rank(), a.rank());

  private static final HostMatcher ANY = new HostMatcher(null, false);

  private final @Nullable String name; // lower case; for a wildcard, the suffix with its dot
  private final boolean wildcard;

  private HostMatcher(@Nullable String name, boolean wildcard) {
    this.name = name;
    this.wildcard = wildcard;
  }

  /** Returns the matcher that accepts every host. */
  public static HostMatcher any() {
    return ANY;
  }

  /** Returns why a host pattern is malformed, or null. */
  public static @Nullable String problem(String pattern) {
    String p = pattern.startsWith("*.") ? pattern.substring(2) : pattern;
    if (p.isEmpty() || p.length() > 253) {
      return "expected: a host name such as api.example.com or *.example.com";
    }
    for (String label : p.split("\\.", -1)) {
      if (!isLabel(label)) {
        return "expected: a host name such as api.example.com or *.example.com";
      }
    }
    return null;
  }

  private static boolean isLabel(String label) {
    int n = label.length();
    if (n == 0 || n > 63 || label.charAt(0) == '-' || label.charAt(n - 1) == '-') {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = Character.toLowerCase(label.charAt(i));
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** Compiles a host pattern that {@link #problem} accepted. */
  public static HostMatcher parse(String pattern) {
    String p = pattern.toLowerCase(Locale.ROOT);
    return p.startsWith("*.") ? new HostMatcher(p.substring(1), true) : new HostMatcher(p, false);
  }

  /** Matches a lower-case host name without port. */
  public boolean matches(String host) {
    String n = name;
    if (n == null) {
      return true;
    }
    return wildcard ? host.length() > n.length() && host.endsWith(n) : host.equals(n);
  }

  private int rank() {
    return name == null ? 0 : wildcard ? 1 : 2;
  }

  /** Returns whether this matcher accepts every host that {@code other} accepts. */
  public boolean covers(HostMatcher other) {
    String n = name;
    String o = other.name;
    if (n == null) {
      return true;
    }
    if (o == null) {
      return false;
    }
    if (!wildcard) {
      return !other.wildcard && n.equals(o);
    }
    return o.endsWith(n) && (other.wildcard || o.length() > n.length());
  }

  /** Returns whether two matchers accept exactly the same hosts. */
  public boolean sameAs(HostMatcher o) {
    return wildcard == o.wildcard && java.util.Objects.equals(name, o.name);
  }

  @Override
  public String toString() {
    String n = name;
    return n == null ? "*" : wildcard ? "*" + n : n;
  }
}
