package dev.bulwark.access;

import dev.bulwark.identity.Caller;
import dev.bulwark.identity.CertificateIdentity;
import dev.bulwark.identity.SanPattern;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A compiled authorization rule: an atom ({@code authenticated}, {@code mfa}, {@code role:X},
 * {@code scope:X}, {@code claim:NAME=VALUE}, {@code member-of:{param}}, {@code member-of:?query})
 * or an {@code all-of} / {@code any-of} of rules. Evaluation is pure: the caller and the request's
 * parameter values in, allowed or not out.
 */
public sealed interface AccessRule {

  /** Looks up a request value: a path template value or a query parameter. */
  interface Values {
    /** Returns the value of the route's {@code {name}} path template, or null. */
    @Nullable String pathParam(String name);

    /** Returns the only value of a query parameter, or null when absent or repeated. */
    @Nullable String queryParam(String name);

    /** Returns the client certificate the route verified, or null when there is none. */
    default @Nullable CertificateIdentity certificate() {
      return null;
    }
  }

  /** Returns whether the caller satisfies the rule for a request with these values. */
  boolean allows(Caller caller, Values values);

  /** Returns the rule as written in the configuration (for summaries and logs). */
  String describe();

  /**
   * Returns, in words, the part of the rule that decided for this caller and request: each atom
   * that held when the rule allows, the atom that failed when it refuses, with the request value a
   * {@code member-of} read ({@code member-of:{org} with org=globex held}). For decision traces
   * only.
   */
  default String explain(Caller caller, Values values) {
    return describe() + (allows(caller, values) ? " held" : " failed");
  }

  /** Any verified caller. */
  record Authenticated() implements AccessRule {
    @Override
    public boolean allows(Caller caller, Values values) {
      return true;
    }

    @Override
    public String describe() {
      return "authenticated";
    }
  }

  /**
   * The caller proved a second factor: the verified token's {@code amr} (RFC 8176) names {@code
   * otp}, {@code hwk}, {@code swk} or {@code mfa}; a password alone ({@code pwd}) does not do. The
   * step-up rule of routes that must not be reached with a stolen password.
   */
  record Mfa() implements AccessRule {
    /** The {@code amr} values that name a second factor. */
    public static final java.util.Set<String> SECOND_FACTORS =
        java.util.Set.of("otp", "hwk", "swk", "mfa");

    @Override
    public boolean allows(Caller caller, Values values) {
      List<String> amr = caller.claims().get("amr");
      if (amr == null) {
        return false;
      }
      for (String m : amr) {
        if (SECOND_FACTORS.contains(m)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public String describe() {
      return "mfa";
    }
  }

  /** The caller holds a role. */
  record Role(String role) implements AccessRule {
    @Override
    public boolean allows(Caller caller, Values values) {
      return caller.roles().contains(role);
    }

    @Override
    public String describe() {
      return "role:" + role;
    }
  }

  /** The caller's token was granted a scope. */
  record Scope(String scope) implements AccessRule {
    @Override
    public boolean allows(Caller caller, Values values) {
      return caller.scopes().contains(scope);
    }

    @Override
    public String describe() {
      return "scope:" + scope;
    }
  }

  /** A claim equals a value (or, for a list claim, contains it). */
  record Claim(String name, String value) implements AccessRule {
    @Override
    public boolean allows(Caller caller, Values values) {
      List<String> v = caller.claims().get(name);
      return v != null && v.contains(value);
    }

    @Override
    public String describe() {
      return "claim:" + name + "=" + value;
    }
  }

  /**
   * The client certificate that the route verified carries a name that matches ({@code
   * san-uri:spiffe://example.org/ns/prod/sa/*}, {@code san-dns:}, {@code san-email:}); never holds
   * without a verified certificate.
   */
  record CertificateName(SanPattern pattern) implements AccessRule {
    @Override
    public boolean allows(Caller caller, Values values) {
      CertificateIdentity c = values.certificate();
      return c != null && pattern.matches(c);
    }

    @Override
    public String describe() {
      return pattern.describe();
    }
  }

  /** The request's path or query value names an organisation the caller is a member of. */
  record MemberOf(String param, boolean query) implements AccessRule {
    @Override
    public boolean allows(Caller caller, Values values) {
      String org = query ? values.queryParam(param) : values.pathParam(param);
      return org != null && !org.isEmpty() && caller.organisations().contains(org);
    }

    @Override
    public String describe() {
      return query ? "member-of:?" + param : "member-of:{" + param + "}";
    }

    @Override
    public String explain(Caller caller, Values values) {
      String org = query ? values.queryParam(param) : values.pathParam(param);
      return describe()
          + " with "
          + param
          + "="
          + (org == null ? "(none)" : org)
          + (allows(caller, values) ? " held" : " failed");
    }
  }

  /** Every rule holds. */
  record AllOf(List<AccessRule> rules) implements AccessRule {
    public AllOf {
      rules = List.copyOf(rules);
    }

    @Override
    public boolean allows(Caller caller, Values values) {
      for (AccessRule r : rules) {
        if (!r.allows(caller, values)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public String describe() {
      return "all-of" + describeAll(rules);
    }

    @Override
    public String explain(Caller caller, Values values) {
      StringBuilder held = new StringBuilder();
      for (AccessRule r : rules) {
        if (!r.allows(caller, values)) {
          return r.explain(caller, values);
        }
        held.append(held.length() == 0 ? "" : ", ").append(r.explain(caller, values));
      }
      return held.toString();
    }
  }

  /** At least one rule holds (an empty any-of never does). */
  record AnyOf(List<AccessRule> rules) implements AccessRule {
    public AnyOf {
      rules = List.copyOf(rules);
    }

    @Override
    public boolean allows(Caller caller, Values values) {
      for (AccessRule r : rules) {
        if (r.allows(caller, values)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public String describe() {
      return "any-of" + describeAll(rules);
    }

    @Override
    public String explain(Caller caller, Values values) {
      if (rules.isEmpty()) {
        return "no rule allows this method";
      }
      StringBuilder failed = new StringBuilder("none held: ");
      for (int i = 0; i < rules.size(); i++) {
        AccessRule r = rules.get(i);
        if (r.allows(caller, values)) {
          return r.explain(caller, values);
        }
        failed.append(i == 0 ? "" : ", ").append(r.explain(caller, values));
      }
      return failed.toString();
    }
  }

  private static String describeAll(List<AccessRule> rules) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < rules.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(rules.get(i).describe());
    }
    return sb.append(']').toString();
  }

  /** Visits every atom of a rule (used to check {@code member-of} parameters). */
  static void atoms(AccessRule rule, java.util.function.Consumer<AccessRule> visitor) {
    if (rule instanceof AllOf a) {
      a.rules().forEach(r -> atoms(r, visitor));
    } else if (rule instanceof AnyOf a) {
      a.rules().forEach(r -> atoms(r, visitor));
    } else {
      visitor.accept(rule);
    }
  }

  /** Returns values backed by path parameters by name and a query lookup. */
  static Values values(Map<String, String> path, Function<String, @Nullable String> query) {
    return values(path, query, null);
  }

  /** Returns values backed by path parameters, a query lookup and the verified certificate. */
  static Values values(
      Map<String, String> path,
      Function<String, @Nullable String> query,
      @Nullable CertificateIdentity certificate) {
    return new Values() {
      @Override
      public @Nullable String pathParam(String name) {
        return path.get(name);
      }

      @Override
      public @Nullable String queryParam(String name) {
        return query.apply(name);
      }

      @Override
      public @Nullable CertificateIdentity certificate() {
        return certificate;
      }
    };
  }
}
