package dev.bulwark.identity;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

/**
 * An invitation token: 32 random bytes in base64url, given once to the person invited (printed by
 * the admin API and the CLI; mailed when mail is configured), and stored only as its SHA-256 with
 * {@link dev.bulwark.store.OneTimePurpose#INVITATION}. Whoever redeems it hashes what was presented
 * with {@link #hash} and consumes that from the account store, once.
 */
public final class Invitation {
  /** How long an invitation stays valid. */
  public static final Duration VALIDITY = Duration.ofDays(7);

  /** How many invitations one account keeps open (a new one replaces the last). */
  public static final int PER_ACCOUNT = 1;

  /** The longest token {@link #hash} reads (longer input is no token of ours). */
  public static final int MAX_CHARS = 64;

  private static final SecureRandom RANDOM = new SecureRandom();

  private Invitation() {}

  /** Returns a new random token. */
  public static String mint() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Returns the SHA-256 of a token as the store keeps it. */
  public static byte[] hash(String token) {
    requireNonNull(token, "token");
    String t = token.length() > MAX_CHARS ? token.substring(0, MAX_CHARS) : token;
    try {
      return MessageDigest.getInstance("SHA-256").digest(t.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
