package dev.bulwark.endpoint.login;

import dev.bulwark.store.AccountStore;
import dev.bulwark.store.OneTimePurpose;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The {@code mfa_token}s of logins whose password was right and whose second factor is still
 * awaited: 256 random bits, kept in the account store by their SHA-256 only (a one-time token of
 * purpose {@link OneTimePurpose#MFA_CHALLENGE}, bound to its account, shared by every gateway on
 * the store), used up by the first attempt at them whatever its outcome. The token's text carries
 * its deadline and how many codes may still be tried after this one ({@code
 * mt1.DEADLINE.LEFT.RANDOM}); both are covered by the stored hash, so a client that edits them
 * holds a token that matches nothing. A wrong code hands out a successor with the same deadline and
 * one try fewer.
 */
final class MfaChallenges {
  /** How many codes one password check buys at most. */
  static final int MAX_CODES = 5;

  /** The most tokens of this purpose an account keeps (logins in progress). */
  static final int PER_ACCOUNT = 8;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String PREFIX = "mt1.";

  private final AccountStore accounts;
  private final Duration ttl;
  private final Clock clock;

  MfaChallenges(AccountStore accounts, Duration ttl, Clock clock) {
    this.accounts = accounts;
    this.ttl = ttl;
    this.clock = clock;
  }

  /** A challenge read back: its account, deadline and the codes left after this one. */
  record Challenge(String account, long deadlineSeconds, int left) {}

  /** A token handed out, and the seconds it has left. */
  record Issued(String token, long expiresIn) {}

  /** Returns how long a fresh token lives. */
  Duration ttl() {
    return ttl;
  }

  /** Issues the first token of a login whose password was right. */
  CompletionStage<Issued> issue(String account) {
    long deadline = clock.instant().plus(ttl).getEpochSecond();
    return issue(account, deadline, MAX_CODES - 1);
  }

  /**
   * Issues the successor of a challenge after a wrong code; completes with null when no try is left
   * or the deadline passed.
   */
  CompletionStage<Optional<Issued>> next(Challenge c) {
    if (c.left() <= 0 || c.deadlineSeconds() <= clock.instant().getEpochSecond()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return issue(c.account(), c.deadlineSeconds(), c.left() - 1).thenApply(Optional::of);
  }

  private CompletionStage<Issued> issue(String account, long deadline, int left) {
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String token =
        PREFIX
            + deadline
            + "."
            + left
            + "."
            + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    long expiresIn = Math.max(1, deadline - clock.instant().getEpochSecond());
    return accounts
        .issueToken(
            OneTimePurpose.MFA_CHALLENGE,
            account,
            hash(token),
            Instant.ofEpochSecond(deadline),
            PER_ACCOUNT)
        .thenApply(
            exists -> {
              if (!exists) {
                throw new IllegalStateException("account gone while its login was in progress");
              }
              return new Issued(token, expiresIn);
            });
  }

  /**
   * Uses up a token; completes with its challenge, or empty when it is malformed, unknown, used or
   * expired (the same for all).
   */
  CompletionStage<Optional<Challenge>> consume(String token) {
    long[] parts = parse(token);
    if (parts == null) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return accounts
        .consumeToken(OneTimePurpose.MFA_CHALLENGE, hash(token), clock.instant())
        .thenApply(id -> id.map(a -> new Challenge(a, parts[0], (int) parts[1])));
  }

  /** Returns {deadline, left} of a well-formed token, or null. */
  static long @Nullable [] parse(String token) {
    if (!token.startsWith(PREFIX) || token.length() > 128) {
      return null;
    }
    String[] p = token.substring(PREFIX.length()).split("\\.", -1);
    if (p.length != 3
        || !p[0].matches("[0-9]{1,12}")
        || !p[1].matches("[0-9]")
        || !p[2].matches("[A-Za-z0-9_-]{43}")) {
      return null;
    }
    return new long[] {Long.parseLong(p[0]), Long.parseLong(p[1])};
  }

  private static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
    }
  }
}
