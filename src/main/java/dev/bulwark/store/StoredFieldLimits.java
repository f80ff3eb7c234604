package dev.bulwark.store;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The largest values the account and organisation stores keep, the same on every backend: they
 * bound storage, not policy (the identity layer applies its own, stricter rules first). A value
 * beyond them, or a NUL character in a value kept in clear, is refused with a one-line message.
 */
public final class StoredFieldLimits {
  /** UTF-8 bytes of a login name, as given or normalised. */
  public static final int LOGIN_BYTES = 1024;

  /** UTF-8 bytes of an email address. */
  public static final int EMAIL_BYTES = 320;

  /** UTF-8 bytes of a display name or an organisation name. */
  public static final int NAME_BYTES = 1024;

  /** UTF-8 bytes of a password hash or a recovery code hash. */
  public static final int HASH_BYTES = 1024;

  /** Bytes of a TOTP secret. */
  public static final int TOTP_SECRET_BYTES = 128;

  /** Recovery codes per account. */
  public static final int RECOVERY_CODES = 32;

  /** Bytes of a one-time token's hash (at least 16). */
  public static final int TOKEN_HASH_BYTES = 128;

  /** UTF-8 bytes of an organisation slug or a role (kept in clear). */
  public static final int SLUG_BYTES = 128;

  /** Accounts, organisations or memberships in one page of a listing. */
  public static final int PAGE = 1000;

  private StoredFieldLimits() {}

  /** Returns the problem with a new account's fields, or null. */
  public static @Nullable String problem(NewAccount a) {
    String p = text("login name", a.loginName(), LOGIN_BYTES, false);
    if (p == null) {
      p = text("normalised login name", a.normalisedLogin(), LOGIN_BYTES, false);
    }
    if (p == null && a.normalisedLogin().isEmpty()) {
      p = "normalised login name: empty (expected: at least one character)";
    }
    if (p == null) {
      p = personal(a.email(), a.displayName(), a.passwordHash());
    }
    return p;
  }

  /** Returns the problem with an account's changed fields, or null. */
  public static @Nullable String problem(Account a) {
    return personal(a.email(), a.displayName(), a.passwordHash());
  }

  private static @Nullable String personal(
      @Nullable String email, String displayName, @Nullable String passwordHash) {
    String p = email == null ? null : text("email", email, EMAIL_BYTES, false);
    if (p == null) {
      p = text("display name", displayName, NAME_BYTES, false);
    }
    if (p == null && passwordHash != null) {
      p = text("password hash", passwordHash, HASH_BYTES, false);
    }
    return p;
  }

  /** Returns the problem with a TOTP secret, or null. */
  public static @Nullable String totpProblem(byte[] secret) {
    if (secret.length == 0 || secret.length > TOTP_SECRET_BYTES) {
      return "TOTP secret: " + secret.length + " bytes (expected: 1 to " + TOTP_SECRET_BYTES + ")";
    }
    return null;
  }

  /** Returns the problem with a list of recovery code hashes, or null. */
  public static @Nullable String recoveryProblem(List<String> hashes) {
    if (hashes.size() > RECOVERY_CODES) {
      return "recovery codes: " + hashes.size() + " (expected: at most " + RECOVERY_CODES + ")";
    }
    for (String h : hashes) {
      String p = text("recovery code hash", h, HASH_BYTES, false);
      if (p == null && h.isEmpty()) {
        p = "recovery code hash: empty";
      }
      if (p != null) {
        return p;
      }
    }
    return null;
  }

  /** Returns the problem with a one-time token's hash, or null. */
  public static @Nullable String tokenProblem(byte[] hash, int maxPerAccount) {
    if (hash.length < 16 || hash.length > TOKEN_HASH_BYTES) {
      return "token hash: " + hash.length + " bytes (expected: 16 to " + TOKEN_HASH_BYTES + ")";
    }
    if (maxPerAccount < 1 || maxPerAccount > 100) {
      return "maxPerAccount: " + maxPerAccount + " (expected: 1 to 100)";
    }
    return null;
  }

  /** Returns the problem with an organisation's slug and name, or null. */
  public static @Nullable String organisationProblem(String slug, String name) {
    String p = slugProblem("slug", slug);
    return p != null ? p : text("organisation name", name, NAME_BYTES, true);
  }

  /** Returns the problem with a slug or a role (kept in clear: no NUL, not empty), or null. */
  public static @Nullable String slugProblem(String what, String value) {
    if (value.isEmpty()) {
      return what + ": empty (expected: at least one character)";
    }
    return text(what, value, SLUG_BYTES, true);
  }

  /** Returns the problem with a page size, or null. */
  public static @Nullable String pageProblem(int limit) {
    return limit < 1 || limit > PAGE ? "limit: " + limit + " (expected: 1 to " + PAGE + ")" : null;
  }

  private static @Nullable String text(String what, String value, int maxBytes, boolean clear) {
    int bytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxBytes) {
      return what + ": " + bytes + " bytes (expected: at most " + maxBytes + ")";
    }
    if (!StandardCharsets.UTF_8.newEncoder().canEncode(value)) {
      return what + ": not valid Unicode (an unpaired surrogate)";
    }
    if (clear && value.indexOf('\0') >= 0) {
      return what + ": contains NUL (expected: no control character)";
    }
    return null;
  }
}
