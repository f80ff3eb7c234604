package dev.bulwark.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The top-level {@code admin} section: the bearer token that the admin listener asks for on every
 * endpoint but health and readiness, the listener's TLS ({@code admin.tls}), and who signs in to
 * the dashboard ({@code admin.dashboard}: the admin token, or accounts with a role in an
 * organisation and a second factor). The token is always a secret reference ({@code
 * ${env:BULWARK_ADMIN_TOKEN}} or {@code ${file:/run/secrets/admin-token}}); a literal is refused.
 */
public final class AdminConfig {
  /** No token: the admin listener is open to whoever can reach it (loopback only). */
  public static final AdminConfig NONE = new AdminConfig(null);

  /** The role that makes a member of {@code admin.dashboard.organisation} a dashboard admin. */
  public static final String DEFAULT_DASHBOARD_ROLE = "admin";

  private static final Pattern SLUG = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** The shortest token accepted, in characters (a 32-byte random value in base64 is 44). */
  public static final int MIN_TOKEN_LENGTH = 32;

  /** The longest token accepted, in characters. */
  public static final int MAX_TOKEN_LENGTH = 512;

  private static final String EXPECTED =
      "a secret reference such as ${env:BULWARK_ADMIN_TOKEN} or ${file:/run/secrets/admin-token}";

  private final @Nullable String token;
  private final byte @Nullable [] digest;
  private final AdminTls tls;
  private final @Nullable String dashboardOrganisation;
  private final String dashboardRole;

  private AdminConfig(@Nullable String token) {
    this(token, AdminTls.PLAIN, null, DEFAULT_DASHBOARD_ROLE);
  }

  private AdminConfig(
      @Nullable String token,
      AdminTls tls,
      @Nullable String dashboardOrganisation,
      String dashboardRole) {
    this.token = token;
    this.digest = token == null ? null : sha256(token);
    this.tls = Objects.requireNonNull(tls, "tls");
    this.dashboardOrganisation = dashboardOrganisation;
    this.dashboardRole = Objects.requireNonNull(dashboardRole, "dashboardRole");
  }

  /** Returns this configuration with the admin listener's TLS (for embedding and tests). */
  public AdminConfig withTls(AdminTls adminTls) {
    return new AdminConfig(token, adminTls, dashboardOrganisation, dashboardRole);
  }

  /**
   * Returns this configuration with dashboard sign-in by the accounts that hold {@code role} in the
   * organisation {@code slug} (for embedding and tests).
   */
  public AdminConfig withDashboardAdmins(String slug, String role) {
    return new AdminConfig(
        token, tls, Objects.requireNonNull(slug, "slug"), Objects.requireNonNull(role, "role"));
  }

  /** Returns the admin listener's TLS ({@code admin.tls}). */
  public AdminTls tls() {
    return tls;
  }

  /**
   * Returns the slug of the organisation whose members with {@link #dashboardRole()} sign in to the
   * dashboard (with a password and a second factor), or null when the dashboard asks for the admin
   * token instead.
   */
  public @Nullable String dashboardOrganisation() {
    return dashboardOrganisation;
  }

  /** Returns the role that makes a member of the dashboard organisation a dashboard admin. */
  public String dashboardRole() {
    return dashboardRole;
  }

  /**
   * Returns a configuration that asks for {@code token} (for embedding and tests; a file gives it
   * as a secret reference).
   *
   * @throws IllegalArgumentException when the token is too short, too long, or not visible ASCII
   */
  public static AdminConfig withToken(String token) {
    String problem = problem(token);
    if (problem != null) {
      throw new IllegalArgumentException("token: " + problem);
    }
    return new AdminConfig(token);
  }

  /** Returns what is wrong with a token, or null when it is acceptable. */
  private static @Nullable String problem(String token) {
    if (token.length() < MIN_TOKEN_LENGTH || token.length() > MAX_TOKEN_LENGTH) {
      return token.length()
          + " characters (expected: "
          + MIN_TOKEN_LENGTH
          + " to "
          + MAX_TOKEN_LENGTH
          + ", such as the output of: openssl rand -base64 32)";
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return "character at "
            + i
            + " is not visible ASCII (expected: letters, digits and punctuation, which an"
            + " Authorization header can carry)";
      }
    }
    return null;
  }

  /** Returns whether the admin listener asks for a token. */
  public boolean tokenRequired() {
    return token != null;
  }

  /** Returns the token (for {@code bulwark bans -c}), or null when none is set. */
  public @Nullable String token() {
    return token;
  }

  /** Returns the SHA-256 of the token (what the listener compares), or null when none is set. */
  public byte @Nullable [] tokenDigest() {
    byte[] d = digest;
    return d == null ? null : d.clone();
  }

  /** Returns the SHA-256 of a text's UTF-8 bytes. */
  public static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof AdminConfig a
        && MessageDigest.isEqual(digest, a.digest)
        && tls.equals(a.tls)
        && Objects.equals(dashboardOrganisation, a.dashboardOrganisation)
        && dashboardRole.equals(a.dashboardRole);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(digest);
  }

  @Override
  public String toString() {
    return (token == null ? "admin(no token" : "admin(token: set")
        + ", tls: "
        + tls
        + (dashboardOrganisation == null
            ? ""
            : ", dashboard: " + dashboardRole + " of " + dashboardOrganisation)
        + ")";
  }

  /** Reads the {@code admin} section (absent: no token, plain HTTP, token sign-in). */
  static AdminConfig read(ConfigNode n, Path baseDir) {
    if (!n.expectMapping(Set.of("token", "tls", "dashboard"))) {
      return NONE;
    }
    AdminTls tls = AdminTls.read(n.get("tls"), baseDir);
    ConfigNode d = n.get("dashboard");
    String organisation = null;
    String role = DEFAULT_DASHBOARD_ROLE;
    if (d.expectMapping(Set.of("organisation", "role"))) {
      ConfigNode o = d.get("organisation");
      organisation = o.requiredString("the slug of the organisation of the dashboard's admins");
      if (organisation != null && !SLUG.matcher(organisation).matches()) {
        o.invalid("an organisation slug: lower-case letters, digits and -, at most 63");
        organisation = null;
      }
      ConfigNode r = d.get("role");
      role = r.string("a role name", DEFAULT_DASHBOARD_ROLE);
      if (!ROLE.matcher(role).matches()) {
        r.invalid("a role: 1 to 64 letters, digits, '.', '_' or '-'");
        role = DEFAULT_DASHBOARD_ROLE;
      }
    }
    return new AdminConfig(readToken(n.get("token")), tls, organisation, role);
  }

  private static @Nullable String readToken(ConfigNode t) {
    if (!t.present()) {
      return null;
    }
    String raw = t.rawText();
    if (raw != null && !SecretResolver.containsReference(raw)) {
      t.error("literal secret (expected: " + EXPECTED + ")");
      return null;
    }
    String token = t.string(EXPECTED);
    if (token == null) {
      return null;
    }
    String problem = problem(token);
    if (problem != null) {
      t.error(problem);
      return null;
    }
    return token;
  }
}
