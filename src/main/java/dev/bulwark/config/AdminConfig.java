package dev.bulwark.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The top-level {@code admin} section: the bearer token that the admin listener asks for on every
 * endpoint but health and readiness. The token is always a secret reference ({@code
 * ${env:BULWARK_ADMIN_TOKEN}} or {@code ${file:/run/secrets/admin-token}}); a literal is refused.
 */
public final class AdminConfig {
  /** No token: the admin listener is open to whoever can reach it (loopback only). */
  public static final AdminConfig NONE = new AdminConfig(null);

  /** The shortest token accepted, in characters (a 32-byte random value in base64 is 44). */
  public static final int MIN_TOKEN_LENGTH = 32;

  /** The longest token accepted, in characters. */
  public static final int MAX_TOKEN_LENGTH = 512;

  private static final String EXPECTED =
      "a secret reference such as ${env:BULWARK_ADMIN_TOKEN} or ${file:/run/secrets/admin-token}";

  private final @Nullable String token;
  private final byte @Nullable [] digest;

  private AdminConfig(@Nullable String token) {
    this.token = token;
    this.digest = token == null ? null : sha256(token);
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
    return o instanceof AdminConfig a && MessageDigest.isEqual(digest, a.digest);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(digest);
  }

  @Override
  public String toString() {
    return token == null ? "admin(no token)" : "admin(token: set)";
  }

  /** Reads the {@code admin} section (absent: no token). */
  static AdminConfig read(ConfigNode n) {
    if (!n.expectMapping(Set.of("token"))) {
      return NONE;
    }
    ConfigNode t = n.get("token");
    if (!t.present()) {
      return NONE;
    }
    String raw = t.rawText();
    if (raw != null && !SecretResolver.containsReference(raw)) {
      t.error("literal secret (expected: " + EXPECTED + ")");
      return NONE;
    }
    String token = t.string(EXPECTED);
    if (token == null) {
      return NONE;
    }
    String problem = problem(token);
    if (problem != null) {
      t.error(problem);
      return NONE;
    }
    return new AdminConfig(token);
  }
}
