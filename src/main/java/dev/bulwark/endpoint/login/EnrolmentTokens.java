package dev.bulwark.endpoint.login;

import dev.bulwark.identity.totp.TotpSecret;
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
 * The {@code enrolment_token}s of TOTP enrolments waiting for their first code. The token carries
 * the pending secret itself ({@code te1.DEADLINE.SECRET.RANDOM}: the secret in Base32 and 256
 * random bits), so that no store ever holds a secret that is not active yet: the account store
 * keeps only the SHA-256 of the account id and the token (a one-time token of purpose {@link
 * OneTimePurpose#TOTP_ENROLMENT}), which binds the token to its account, its deadline and its
 * secret. A token edited (another secret, a later deadline) or presented by another account matches
 * nothing. The token is as secret as the secret shown beside it, and is used up once a code of its
 * secret confirms it.
 */
final class EnrolmentTokens {
  /** How long an enrolment waits for its first code. */
  static final Duration TTL = Duration.ofMinutes(10);

  /** The most enrolments an account keeps waiting (the oldest are dropped). */
  static final int PER_ACCOUNT = 4;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String PREFIX = "te1.";

  private final AccountStore accounts;
  private final Clock clock;

  EnrolmentTokens(AccountStore accounts, Clock clock) {
    this.accounts = accounts;
    this.clock = clock;
  }

  /** A token handed out, and the seconds it has left. */
  record Issued(String token, long expiresIn) {}

  /** Issues the token of a new secret for {@code account}; completes empty when it is gone. */
  CompletionStage<Optional<Issued>> issue(String account, TotpSecret secret) {
    long deadline = clock.instant().plus(TTL).getEpochSecond();
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String token =
        PREFIX
            + deadline
            + "."
            + secret.base32()
            + "."
            + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    return accounts
        .issueToken(
            OneTimePurpose.TOTP_ENROLMENT,
            account,
            hash(account, token),
            Instant.ofEpochSecond(deadline),
            PER_ACCOUNT)
        .thenApply(
            exists -> exists ? Optional.of(new Issued(token, TTL.toSeconds())) : Optional.empty());
  }

  /** Returns the pending secret of a well-formed token whose deadline has not passed, or null. */
  @Nullable TotpSecret secret(String token) {
    if (!token.startsWith(PREFIX) || token.length() > 256) {
      return null;
    }
    String[] p = token.substring(PREFIX.length()).split("\\.", -1);
    if (p.length != 3
        || !p[0].matches("[0-9]{1,12}")
        || !p[1].matches("[A-Z2-7]{32}")
        || !p[2].matches("[A-Za-z0-9_-]{43}")
        || Long.parseLong(p[0]) <= clock.instant().getEpochSecond()) {
      return null;
    }
    return TotpSecret.fromBase32(p[1]);
  }

  /**
   * Uses up {@code account}'s token; completes with whether it was there, unused and not expired. A
   * token of another account is not touched.
   */
  CompletionStage<Boolean> consume(String account, String token) {
    if (secret(token) == null) {
      return CompletableFuture.completedFuture(false);
    }
    return accounts
        .consumeToken(OneTimePurpose.TOTP_ENROLMENT, hash(account, token), clock.instant())
        .thenApply(id -> id.isPresent() && id.get().equals(account));
  }

  private static byte[] hash(String account, String token) {
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest((account + "\n" + token).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
    }
  }
}
