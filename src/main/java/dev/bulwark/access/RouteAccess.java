package dev.bulwark.access;

import dev.bulwark.config.ConfigNode;
import dev.bulwark.identity.Caller;
import dev.bulwark.identity.SanPattern;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Who may use a route: {@code public: true} (anyone, said explicitly), or {@code auth}: a valid
 * bearer token from one of the named issuers (all when none are named) and a rule that allows it,
 * per HTTP method when {@code methods} names one. A route that says neither is a configuration
 * error: routes are deny-by-default.
 */
public record RouteAccess(
    boolean open,
    boolean configured,
    List<String> issuers,
    AccessRule require,
    Map<String, AccessRule> methods) {

  /**
   * The challenge sent with every refusal by a route's rule of a caller who is authenticated (RFC
   * 6750 section 3.1), by the route itself and by forward-auth alike.
   */
  public static final String INSUFFICIENT_SCOPE =
      "Bearer realm=\"bulwark\", error=\"insufficient_scope\"";

  /**
   * The challenge sent, with 401, when only a second factor is missing (RFC 9470 section 3): the
   * caller's token would be allowed had it proved one, so the client knows to step up ({@code
   * acr_values="mfa"}: a login completed with a second factor, {@code /auth/mfa} on this gateway).
   */
  public static final String STEP_UP =
      "Bearer realm=\"bulwark\", error=\"insufficient_user_authentication\","
          + " error_description=\"a second factor is required\", acr_values=\"mfa\"";

  /**
   * Returns whether {@code rule}, which refused {@code caller}, would allow the same caller with a
   * second factor in its {@code amr}: then stepping up is what the caller lacks, and {@link
   * #STEP_UP} says so; otherwise a second factor would not help and the answer stays 403.
   */
  public static boolean secondFactorWouldAllow(
      AccessRule rule, Caller caller, AccessRule.Values values) {
    List<String> amr = caller.claims().get("amr");
    if (amr != null && amr.stream().anyMatch(AccessRule.Mfa.SECOND_FACTORS::contains)) {
      return false;
    }
    Map<String, List<String>> claims = new java.util.HashMap<>(caller.claims());
    List<String> stepped = new java.util.ArrayList<>(amr == null ? List.of() : amr);
    stepped.add("mfa");
    claims.put("amr", stepped);
    Caller withSecondFactor =
        new Caller(
            caller.subject(),
            caller.issuer(),
            caller.roles(),
            caller.scopes(),
            caller.organisations(),
            claims,
            caller.expiresAt());
    return rule.allows(withSecondFactor, values);
  }

  /** Anyone may use the route. */
  public static final RouteAccess PUBLIC =
      new RouteAccess(true, true, List.of(), new AccessRule.Authenticated(), Map.of());

  /** Nothing said yet (an error on a route). */
  public static final RouteAccess UNSET =
      new RouteAccess(false, false, List.of(), new AccessRule.AnyOf(List.of()), Map.of());

  /** A rule that allows nobody: methods not covered by {@code require} or {@code methods}. */
  public static final AccessRule NOBODY = new AccessRule.AnyOf(List.of());

  // signature: read by the authentication feature (signed requests), not here
  static final Set<String> KEYS = Set.of("issuers", "require", "methods", "signature");
  private static final List<String> METHODS =
      List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:/@+-]{1,128}");
  private static final Pattern CLAIM =
      Pattern.compile("claim:([A-Za-z0-9._-]{1,64})=([^\\s]{1,256})");
  private static final Pattern MEMBER =
      Pattern.compile("member-of:(\\{([A-Za-z][A-Za-z0-9_]*)}|\\?([A-Za-z0-9._-]{1,64}))");
  private static final String ATOMS =
      "authenticated, mfa, role:NAME, scope:NAME, claim:NAME=VALUE, member-of:{param},"
          + " member-of:?query, san-uri:URI, san-dns:NAME or san-email:ADDRESS";

  public RouteAccess {
    issuers = List.copyOf(issuers);
    methods = Map.copyOf(methods);
  }

  /** Returns whether the route requires authentication. */
  public boolean protectedRoute() {
    return configured && !open;
  }

  /**
   * Returns the rules in words for summaries: {@code public}, or the rule and each method's own
   * ({@code require role:admin; DELETE: role:owner}).
   */
  public String describe() {
    if (open) {
      return "public";
    }
    if (!configured) {
      return "unset";
    }
    StringBuilder sb = new StringBuilder("require ").append(require.describe());
    new java.util.TreeMap<>(methods)
        .forEach((m, r) -> sb.append("; ").append(m).append(": ").append(r.describe()));
    return sb.toString();
  }

  /** Returns the rule for a method: its own under {@code auth.methods}, else {@code require}. */
  public AccessRule ruleFor(String method) {
    AccessRule r = methods.get(method);
    return r != null ? r : require;
  }

  /**
   * Reads {@code auth} and {@code public} of a route or of {@code defaults} over the inherited
   * access; a route's own setting replaces the inherited one.
   */
  public static RouteAccess read(ConfigNode auth, ConfigNode pub, RouteAccess inherited) {
    boolean isPublic = pub.bool(false);
    if (pub.present() && !isPublic && !auth.present() && !inherited.protectedRoute()) {
      pub.invalid("true, or an auth section (false alone protects nothing)");
    }
    if (isPublic && auth.present()) {
      pub.error("true together with auth (expected: one of them)");
      return PUBLIC;
    }
    if (isPublic) {
      return PUBLIC;
    }
    if (!auth.present()) {
      return pub.present() && inherited.open() ? UNSET : inherited;
    }
    if (!auth.expectMapping(KEYS)) {
      return UNSET;
    }
    List<String> issuers = auth.get("issuers").strings("an issuer name from auth.issuers");
    ConfigNode req = auth.get("require");
    ConfigNode methodsNode = auth.get("methods");
    if (!req.present() && !methodsNode.present()) {
      auth.error("no rule (expected: require, methods or both)");
      return new RouteAccess(false, true, issuers, NOBODY, Map.of());
    }
    AccessRule require = req.present() ? rule(req) : NOBODY;
    Map<String, AccessRule> methods = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigNode> e : methodsNode.entries().entrySet()) {
      if (!METHODS.contains(e.getKey())) {
        e.getValue()
            .error(
                "unknown method "
                    + e.getKey()
                    + " (expected one of: "
                    + String.join(", ", METHODS)
                    + ")");
        continue;
      }
      methods.put(e.getKey(), rule(e.getValue()));
    }
    return new RouteAccess(false, true, issuers, require, methods);
  }

  /**
   * Checks that every {@code member-of:{param}} names a template of the route's path; {@code at} is
   * where to report (the rule's own node, or the route's path when the rule is inherited).
   */
  public void checkParams(List<String> paramNames, ConfigNode at, boolean inheritedRule) {
    List<AccessRule> all = new ArrayList<>(methods.values());
    all.add(require);
    for (AccessRule r : all) {
      AccessRule.atoms(
          r,
          a -> {
            if (a instanceof AccessRule.MemberOf m
                && !m.query()
                && !paramNames.contains(m.param())) {
              at.error(
                  m.describe()
                      + (inheritedRule ? " (from defaults.auth)" : "")
                      + ": the route's path has no {"
                      + m.param()
                      + "} (expected one of: "
                      + paramNames
                      + ")");
            }
          });
    }
  }

  /** Reads a rule: an atom, a list (all of), or {@code all-of: [...]} / {@code any-of: [...]}. */
  static AccessRule rule(ConfigNode n) {
    if (n.isScalar()) {
      String s = n.string("a rule such as role:admin");
      AccessRule atom = s == null ? null : atom(s);
      if (atom == null) {
        n.invalid(ATOMS);
        return NOBODY;
      }
      return atom;
    }
    if (n.isMapping()) {
      Map<String, ConfigNode> entries = n.entries();
      if (entries.size() != 1) {
        n.invalid("a mapping with exactly one of all-of or any-of");
        return NOBODY;
      }
      Map.Entry<String, ConfigNode> e = entries.entrySet().iterator().next();
      List<AccessRule> parts = list(e.getValue());
      return switch (e.getKey()) {
        case "all-of" -> new AccessRule.AllOf(parts);
        case "any-of" -> new AccessRule.AnyOf(parts);
        default -> {
          n.get(e.getKey()).error("unknown key (expected one of: all-of, any-of)");
          yield NOBODY;
        }
      };
    }
    return new AccessRule.AllOf(list(n));
  }

  private static List<AccessRule> list(ConfigNode n) {
    List<ConfigNode> elements = n.elements();
    if (n.present() && !n.isScalar() && !n.isMapping() && elements.isEmpty()) {
      n.invalid("at least one rule");
    }
    List<AccessRule> out = new ArrayList<>();
    for (ConfigNode e : elements) {
      out.add(rule(e));
    }
    return out;
  }

  static @Nullable AccessRule atom(String s) {
    if (s.equals("authenticated")) {
      return new AccessRule.Authenticated();
    }
    if (s.equals("mfa")) {
      return new AccessRule.Mfa();
    }
    if (s.startsWith("role:") && NAME.matcher(s.substring(5)).matches()) {
      return new AccessRule.Role(s.substring(5));
    }
    if (s.startsWith("scope:") && NAME.matcher(s.substring(6)).matches()) {
      return new AccessRule.Scope(s.substring(6));
    }
    Matcher c = CLAIM.matcher(s);
    if (c.matches()) {
      return new AccessRule.Claim(c.group(1), c.group(2));
    }
    for (SanPattern.Kind kind :
        List.of(SanPattern.Kind.URI, SanPattern.Kind.DNS, SanPattern.Kind.EMAIL)) {
      String prefix = kind.label() + ":";
      if (s.startsWith(prefix)) {
        String pattern = s.substring(prefix.length());
        return SanPattern.problem(kind, pattern) == null
            ? new AccessRule.CertificateName(new SanPattern(kind, pattern))
            : null;
      }
    }
    Matcher m = MEMBER.matcher(s);
    if (m.matches()) {
      return m.group(2) != null
          ? new AccessRule.MemberOf(m.group(2), false)
          : new AccessRule.MemberOf(m.group(3), true);
    }
    return null;
  }
}
