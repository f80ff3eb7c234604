package dev.bulwark.identity;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import javax.security.auth.x500.X500Principal;
import org.jspecify.annotations.Nullable;

/**
 * A rule on one name of a certificate: a URI SAN (SPIFFE IDs), a DNS SAN, an email SAN or the
 * subject's distinguished name. URIs compare exactly, with {@code *} standing for one whole path
 * segment and a final {@code /**} for one or more; DNS names compare without case, with a leading
 * {@code *.} standing for exactly one label; emails compare without case, with {@code *@domain}
 * standing for any mailbox of the domain; subjects compare as distinguished names (RFC 4514).
 */
public record SanPattern(Kind kind, String pattern) {

  /** Which name of a certificate a pattern reads. */
  public enum Kind {
    URI("san-uri"),
    DNS("san-dns"),
    EMAIL("san-email"),
    SUBJECT("subject");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    /** Returns the name of the kind in configuration and rules, such as {@code san-uri}. */
    public String label() {
      return label;
    }
  }

  public SanPattern {
    requireNonNull(kind, "kind");
    requireNonNull(pattern, "pattern");
    String problem = problem(kind, pattern);
    if (problem != null) {
      throw new IllegalArgumentException("pattern: " + pattern + " (expected: " + problem + ")");
    }
  }

  /**
   * Returns what a valid pattern of the kind looks like when {@code text} is not one, else null.
   */
  public static @Nullable String problem(Kind kind, String text) {
    if (text.isEmpty() || text.length() > 512) {
      return "a non-empty name of at most 512 characters";
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      // a distinguished name may hold spaces (CN=Example CA); no SAN pattern does
      if (c < 0x20 || c >= 0x7f || (c == 0x20 && kind != Kind.SUBJECT)) {
        return kind == Kind.SUBJECT ? "visible ASCII" : "visible ASCII without spaces";
      }
    }
    return switch (kind) {
      case URI -> uriProblem(text);
      case DNS -> dnsProblem(text);
      case EMAIL -> emailProblem(text);
      case SUBJECT -> subjectProblem(text);
    };
  }

  private static @Nullable String uriProblem(String text) {
    int scheme = text.indexOf("://");
    if (scheme <= 0) {
      return "a URI such as spiffe://example.org/ns/prod/sa/orders";
    }
    if (text.substring(0, scheme).contains("*")) {
      return "a URI whose scheme has no wildcard";
    }
    String[] segments = text.substring(scheme + 3).split("/", -1);
    if (segments[0].isEmpty() || segments[0].contains("*")) {
      return "a URI with a host (a trust domain) and no wildcard in it";
    }
    for (int i = 1; i < segments.length; i++) {
      String s = segments[i];
      boolean last = i == segments.length - 1;
      if (s.contains("*") && !s.equals("*") && !(last && s.equals("**"))) {
        return "wildcards as whole segments: * for one segment, a final /** for the rest";
      }
    }
    return null;
  }

  private static @Nullable String dnsProblem(String text) {
    String rest = text.startsWith("*.") ? text.substring(2) : text;
    if (rest.contains("*")) {
      return "a DNS name, with * only as the whole first label (*.example.org)";
    }
    if (rest.isEmpty() || rest.startsWith(".") || rest.endsWith(".") || rest.contains("..")) {
      return "a DNS name such as orders.example.org";
    }
    return null;
  }

  private static @Nullable String emailProblem(String text) {
    int at = text.indexOf('@');
    if (at <= 0 || at != text.lastIndexOf('@') || at == text.length() - 1) {
      return "an email address such as ops@example.org, or *@example.org";
    }
    String local = text.substring(0, at);
    if (local.contains("*") && !local.equals("*")) {
      return "an email address such as ops@example.org, or *@example.org";
    }
    return text.substring(at + 1).contains("*") ? "an email domain without wildcard" : null;
  }

  private static @Nullable String subjectProblem(String text) {
    try {
      new X500Principal(text);
      return null;
    } catch (IllegalArgumentException e) {
      return "a distinguished name such as CN=orders,O=Example";
    }
  }

  /** Returns whether one of the certificate's names of this pattern's kind matches it. */
  public boolean matches(CertificateIdentity certificate) {
    return switch (kind) {
      case URI -> anyMatches(certificate.uris());
      case DNS -> anyMatches(certificate.dnsNames());
      case EMAIL -> anyMatches(certificate.emails());
      case SUBJECT -> matches(certificate.subject());
    };
  }

  private boolean anyMatches(List<String> names) {
    for (String n : names) {
      if (matches(n)) {
        return true;
      }
    }
    return false;
  }

  /** Returns whether one name of this pattern's kind matches it. */
  public boolean matches(String name) {
    return switch (kind) {
      case URI -> uriMatches(pattern, name);
      case DNS -> dnsMatches(pattern, name);
      case EMAIL -> emailMatches(pattern, name);
      case SUBJECT -> subjectMatches(pattern, name);
    };
  }

  private static boolean uriMatches(String pattern, String name) {
    if (pattern.indexOf('*') < 0) {
      return pattern.equals(name);
    }
    int scheme = pattern.indexOf("://");
    if (!name.regionMatches(0, pattern, 0, scheme + 3)) {
      return false;
    }
    String[] p = pattern.substring(scheme + 3).split("/", -1);
    String[] n = name.substring(scheme + 3).split("/", -1);
    for (int i = 0; i < p.length; i++) {
      if (p[i].equals("**")) {
        // one or more segments, none of them empty or a dot segment
        return n.length > i && allPlain(n, i);
      }
      if (i >= n.length) {
        return false;
      }
      if (p[i].equals("*") ? !plainSegment(n[i]) : !p[i].equals(n[i])) {
        return false;
      }
    }
    return n.length == p.length;
  }

  private static boolean allPlain(String[] segments, int from) {
    for (int i = from; i < segments.length; i++) {
      if (!plainSegment(segments[i])) {
        return false;
      }
    }
    return true;
  }

  private static boolean plainSegment(String s) {
    return !s.isEmpty()
        && !s.equals(".")
        && !s.equals("..")
        && s.indexOf('?') < 0
        && s.indexOf('#') < 0;
  }

  private static boolean dnsMatches(String pattern, String name) {
    String n = name.toLowerCase(Locale.ROOT);
    String p = pattern.toLowerCase(Locale.ROOT);
    if (!p.startsWith("*.")) {
      return p.equals(n);
    }
    int dot = n.indexOf('.');
    return dot > 0 && n.substring(dot + 1).equals(p.substring(2));
  }

  private static boolean emailMatches(String pattern, String name) {
    int at = name.indexOf('@');
    if (at <= 0 || at != name.lastIndexOf('@')) {
      return false;
    }
    if (pattern.startsWith("*@")) {
      return name.substring(at + 1).equalsIgnoreCase(pattern.substring(2));
    }
    int pat = pattern.indexOf('@');
    // the local part is case-sensitive in principle; the domain never is
    return name.substring(0, at).equals(pattern.substring(0, pat))
        && name.substring(at + 1).equalsIgnoreCase(pattern.substring(pat + 1));
  }

  private static boolean subjectMatches(String pattern, String name) {
    try {
      return new X500Principal(pattern).equals(new X500Principal(name));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Returns the pattern as written in rules, such as {@code san-uri:spiffe://example.org/*}. */
  public String describe() {
    return kind.label() + ":" + pattern;
  }
}
