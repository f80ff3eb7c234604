package dev.bulwark.audit;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * The fields one kind of security event carries beyond the common ones: typed, so that a sink or an
 * alert rule reads them as values rather than parsing text. Each writes itself to a {@link
 * SecurityEvent.Fields} under the names log consumers know.
 */
public sealed interface EventDetail {
  /** Returns the detail of an event that carries only the common fields. */
  static EventDetail none() {
    return None.INSTANCE; // a method, not a constant: no subclass in the interface's init
  }

  /** Writes the detail's fields, in a fixed order. */
  void writeTo(SecurityEvent.Fields out);

  /** No fields beyond the common ones: {@link #none()} is its only value. */
  enum None implements EventDetail {
    INSTANCE;

    @Override
    public void writeTo(SecurityEvent.Fields out) {}
  }

  /** Which access rule refused the caller, and for which method ({@code access-denied}). */
  record AccessRule(String method, String rule) implements EventDetail {
    public AccessRule {
      requireNonNull(method, "method");
      requireNonNull(rule, "rule");
    }

    @Override
    public void writeTo(SecurityEvent.Fields out) {
      out.text("method", method);
      out.text("rule", rule);
    }
  }

  /**
   * A ban made ({@code ban}): the rule that made it ({@code admin} for the admin API), when it
   * ends, and how many bans the address had before it within the rule's repeat memory.
   */
  record BanMade(String rule, Instant until, int repeat) implements EventDetail {
    public BanMade {
      requireNonNull(rule, "rule");
      requireNonNull(until, "until");
    }

    @Override
    public void writeTo(SecurityEvent.Fields out) {
      out.text("rule", rule);
      out.text("until", until.toString());
      out.number("repeat", repeat);
    }
  }

  /** A ban lifted ({@code unban}), and by whom ({@code admin}). */
  record BanLifted(String by) implements EventDetail {
    public BanLifted {
      requireNonNull(by, "by");
    }

    @Override
    public void writeTo(SecurityEvent.Fields out) {
      out.text("by", by);
    }
  }

  /**
   * The start of an upstream error body that was masked ({@code upstream-error-masked}), already
   * truncated and redacted by the caller.
   */
  record MaskedBody(String body) implements EventDetail {
    public MaskedBody {
      requireNonNull(body, "body");
    }

    @Override
    public void writeTo(SecurityEvent.Fields out) {
      out.text("body", body);
    }
  }

  /** The secret source that failed ({@code secret-unavailable}): Vault's address. */
  record SecretSource(String source) implements EventDetail {
    public SecretSource {
      requireNonNull(source, "source");
    }

    @Override
    public void writeTo(SecurityEvent.Fields out) {
      out.text("source", source);
    }
  }

  /**
   * The secret references whose value changed ({@code secret-rotated}, {@code
   * secret-rotation-refused}), as written in the file (never the values), space-separated.
   */
  record ChangedSecrets(List<String> references) implements EventDetail {
    public ChangedSecrets {
      references = List.copyOf(references);
    }

    @Override
    public void writeTo(SecurityEvent.Fields out) {
      out.text("secrets", String.join(" ", references));
    }
  }

  /**
   * The session concerned ({@code refresh-token-reused}, {@code session-revoked}): its id ({@code
   * *} for every session of the account), how many sessions were revoked, and why ({@code reuse},
   * {@code sign-out}, {@code sign-out-everywhere}, {@code account-gone}).
   */
  record Session(String session, int count, String by) implements EventDetail {
    public Session {
      requireNonNull(session, "session");
      requireNonNull(by, "by");
    }

    @Override
    public void writeTo(SecurityEvent.Fields out) {
      out.text("session", session);
      out.number("count", count);
      out.text("by", by);
    }
  }

  /** The admin call that was refused ({@code admin-auth-failed}): its method and path. */
  record AdminRequest(String method, String path) implements EventDetail {
    public AdminRequest {
      requireNonNull(method, "method");
      requireNonNull(path, "path");
    }

    @Override
    public void writeTo(SecurityEvent.Fields out) {
      out.text("method", method);
      out.text("path", path);
    }
  }

  /**
   * A login attempt ({@code login-succeeded}, {@code login-failed}, {@code mfa-failed}, {@code
   * login-throttled}): the login name as normalised (never the password), the factor ({@code
   * password}, {@code totp}, {@code recovery-code}) and the failures counted so far against the
   * pair of address and login name within the throttle's window (0 when not counted).
   */
  record LoginAttempt(String login, String factor, long failures) implements EventDetail {
    public LoginAttempt {
      requireNonNull(login, "login");
      requireNonNull(factor, "factor");
    }

    @Override
    public void writeTo(SecurityEvent.Fields out) {
      out.text("login", login);
      out.text("factor", factor);
      if (failures > 0) {
        out.number("failures", failures);
      }
    }
  }

  /**
   * What looked like credential stuffing ({@code credential-stuffing-suspected}): the pattern
   * ({@code names-per-address} or {@code addresses-per-name}), the login name concerned (for {@code
   * addresses-per-name}; the last one tried for {@code names-per-address}) and how many distinct
   * names or addresses failed within the window.
   */
  record StuffingPattern(String pattern, String login, long distinct) implements EventDetail {
    public StuffingPattern {
      requireNonNull(pattern, "pattern");
      requireNonNull(login, "login");
    }

    @Override
    public void writeTo(SecurityEvent.Fields out) {
      out.text("pattern", pattern);
      out.text("login", login);
      out.number("distinct", distinct);
    }
  }

  /**
   * A role granted ({@code role-granted}) or taken away ({@code role-revoked}): to or from which
   * account, which role, and in which organisation ({@code -} for a gateway-wide role).
   */
  record RoleGrant(String account, String role, String organisation) implements EventDetail {
    public RoleGrant {
      requireNonNull(account, "account");
      requireNonNull(role, "role");
      requireNonNull(organisation, "organisation");
    }

    @Override
    public void writeTo(SecurityEvent.Fields out) {
      out.text("account", account);
      out.text("role", role);
      out.text("organisation", organisation);
    }
  }

  /**
   * A reload applied ({@code config-reloaded}): the SHA-256 of the new file (hex), and what it
   * loosened, one line each (empty when nothing): a lint warning the previous configuration did not
   * have, a policy a route lost, a route no longer guarded.
   */
  record ConfigReload(String sha256, List<String> loosened) implements EventDetail {
    public ConfigReload {
      requireNonNull(sha256, "sha256");
      loosened = List.copyOf(loosened);
    }

    /** Returns whether the reload loosened anything. */
    public boolean loosens() {
      return !loosened.isEmpty();
    }

    @Override
    public void writeTo(SecurityEvent.Fields out) {
      out.text("sha256", sha256);
      out.number("loosened", loosened.size());
      if (!loosened.isEmpty()) {
        out.text("loosenings", String.join("; ", loosened));
      }
    }
  }

  /**
   * The account an admin change concerns ({@code account-created}, {@code account-disabled}, {@code
   * account-enabled}, {@code account-deleted}, {@code second-factor-removed}): its id (never its
   * login name or other personal data), and how it was created ({@code password}, {@code
   * invitation}) or {@code -}.
   */
  record AccountChange(String account, String how) implements EventDetail {
    public AccountChange {
      requireNonNull(account, "account");
      requireNonNull(how, "how");
    }

    @Override
    public void writeTo(SecurityEvent.Fields out) {
      out.text("account", account);
      if (!how.equals("-")) {
        out.text("how", how);
      }
    }
  }

  /**
   * The organisation an admin change concerns ({@code organisation-created}, {@code
   * organisation-deleted}): its id and slug.
   */
  record OrganisationChange(String organisation, String slug) implements EventDetail {
    public OrganisationChange {
      requireNonNull(organisation, "organisation");
      requireNonNull(slug, "slug");
    }

    @Override
    public void writeTo(SecurityEvent.Fields out) {
      out.text("organisation", organisation);
      out.text("slug", slug);
    }
  }

  /**
   * An audit sink dropping events ({@code audit-dropped}): which sink ({@code postgres}), where it
   * writes (address and schema), and how many events it has dropped so far.
   */
  record AuditSink(String sink, String location, long dropped) implements EventDetail {
    public AuditSink {
      requireNonNull(sink, "sink");
      requireNonNull(location, "location");
    }

    @Override
    public void writeTo(SecurityEvent.Fields out) {
      out.text("sink", sink);
      out.text("location", location);
      out.number("dropped", dropped);
    }
  }

  /** The SMTP server a dropped mail was for ({@code mail-failed}), as {@code host:port}. */
  record MailServer(String server) implements EventDetail {
    public MailServer {
      requireNonNull(server, "server");
    }

    @Override
    public void writeTo(SecurityEvent.Fields out) {
      out.text("server", server);
    }
  }
}
