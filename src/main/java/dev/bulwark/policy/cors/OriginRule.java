package dev.bulwark.policy.cors;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One allowed origin in canonical form: an exact origin ({@code https://app.example.com:8443}) or a
 * subdomain wildcard ({@code https://*.example.com}) that matches one or more whole labels in front
 * of its domain. Canonical means what a browser sends: lower-case scheme and host, no default port,
 * no trailing dot, ASCII (punycode) host.
 */
record OriginRule(String scheme, String host, String port, boolean subdomains) {
  private static final String EXPECTED = "an origin such as https://app.example.com";
  private static final int MAX_HOST = 253;

  /** The outcome of parsing a configured entry: a rule, or what was expected instead. */
  record Parsed(@Nullable OriginRule rule, @Nullable String problem) {}

  /** Returns the canonical text: {@code scheme://host[:port]}, with {@code *.} for wildcards. */
  String text() {
    return scheme + "://" + (subdomains ? "*." : "") + host + (port.isEmpty() ? "" : ":" + port);
  }

  /** Returns whether a request's {@code Origin} value (a single serialised origin) matches. */
  boolean matches(String origin) {
    if (!subdomains) {
      return origin.equals(text());
    }
    String prefix = scheme + "://";
    String tail = "." + host + (port.isEmpty() ? "" : ":" + port);
    int end = origin.length() - tail.length();
    if (end <= prefix.length() || !origin.startsWith(prefix) || !origin.endsWith(tail)) {
      return false;
    }
    // The part the wildcard stands for: whole lower-case labels, so "evil-example.com",
    // "example.com.evil.net" and ".example.com" never match "*.example.com".
    return origin.length() <= prefix.length() + MAX_HOST + 6
        && labels(origin.substring(prefix.length(), end));
  }

  /** Parses a configured entry (not {@code *}); never throws. */
  static Parsed parse(String entry) {
    if (entry.equalsIgnoreCase("null")) {
      return problem(
          "a real origin: \"null\" is what sandboxed frames, file: pages and redirected requests"
              + " send, so allowing it allows all of them");
    }
    for (int i = 0; i < entry.length(); i++) {
      char c = entry.charAt(i);
      if (c > 0x7e) {
        return problem("an ASCII origin: write an internationalised host in punycode (xn--...)");
      }
      if (c <= ' ') {
        return problem(EXPECTED + ", without spaces");
      }
    }
    int sep = entry.indexOf("://");
    if (sep <= 0) {
      return problem(EXPECTED);
    }
    String scheme = entry.substring(0, sep).toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      return problem("an http or https origin");
    }
    String authority = entry.substring(sep + 3);
    int cut = firstOf(authority, "/?#");
    if (cut >= 0) {
      return problem("an origin without path, query or fragment, such as https://app.example.com");
    }
    if (authority.indexOf('@') >= 0) {
      return problem("an origin without user info");
    }
    if (authority.startsWith("[")) {
      return problem("a host name or IPv4 address (IPv6 origins are not supported)");
    }
    String host = authority;
    String port = "";
    int colon = authority.indexOf(':');
    if (colon >= 0) {
      host = authority.substring(0, colon);
      port = canonicalPort(authority.substring(colon + 1), scheme);
      if (port == null) {
        return problem("a port between 1 and 65535");
      }
    }
    host = host.toLowerCase(Locale.ROOT);
    if (host.endsWith(".")) {
      return problem("a host without a trailing dot");
    }
    if (host.indexOf('*') >= 0) {
      return wildcard(scheme, host, port);
    }
    if (host.isEmpty() || host.length() > MAX_HOST || !labels(host) || !ipv4OrName(host)) {
      return problem("a host of letters, digits and '-' labels, or an IPv4 address");
    }
    return new Parsed(new OriginRule(scheme, host, port, false), null);
  }

  private static Parsed wildcard(String scheme, String host, String port) {
    String suffix = host.startsWith("*.") ? host.substring(2) : "";
    String[] parts = suffix.split("\\.", -1);
    if (suffix.isEmpty()
        || suffix.length() > MAX_HOST - 2
        || !labels(suffix)
        || parts.length < 2
        || isNumeric(parts[parts.length - 1])) {
      return problem(
          "a subdomain wildcard such as https://*.example.com: '*' as the whole first label, then"
              + " at least two labels of a domain name");
    }
    return new Parsed(new OriginRule(scheme, suffix, port, true), null);
  }

  /** Returns whether the text is one or more dot-separated LDH labels in lower case. */
  static boolean labels(String s) {
    int start = 0;
    int n = s.length();
    if (n == 0) {
      return false;
    }
    for (int i = 0; i <= n; i++) {
      if (i == n || s.charAt(i) == '.') {
        int len = i - start;
        if (len < 1 || len > 63 || s.charAt(start) == '-' || s.charAt(i - 1) == '-') {
          return false;
        }
        start = i + 1;
        continue;
      }
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** A host whose last label is numeric must be a canonical dotted quad, as browsers write it. */
  private static boolean ipv4OrName(String host) {
    String[] parts = host.split("\\.", -1);
    if (!isNumeric(parts[parts.length - 1])) {
      return true;
    }
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (!isNumeric(p) || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
        return false;
      }
      if (Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  private static boolean isNumeric(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** Returns the port without the scheme's default ("" then), or null when it is not a port. */
  private static @Nullable String canonicalPort(String p, String scheme) {
    if (!isNumeric(p) || p.length() > 5) {
      return null;
    }
    int v = Integer.parseInt(p);
    if (v < 1 || v > 65535) {
      return null;
    }
    if ((scheme.equals("https") && v == 443) || (scheme.equals("http") && v == 80)) {
      return "";
    }
    return String.valueOf(v);
  }

  private static int firstOf(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  private static Parsed problem(String expected) {
    return new Parsed(null, expected);
  }
}
