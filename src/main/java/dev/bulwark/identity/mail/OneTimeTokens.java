package dev.bulwark.identity.mail;

import static java.util.Objects.requireNonNull;

import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStatus;
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
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The single-use tokens that mailed links carry: {@code <account id>.<256 random bits, base64url>}.
 * The store keeps only a SHA-256 of the purpose, the random part and what the token is bound to:
 * for a password reset (or an invitation) the account's current password hash and email address,
 * for a verification the address. So a password change by any path, or a new address, makes every
 * earlier token useless, without anyone having to remember to revoke it; a token is used up by its
 * first presentation, and refused after its expiry.
 */
public final class OneTimeTokens {
  /** The longest token read; anything longer is refused before any work. */
  public static final int MAX_CHARS = 160;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int SECRET_BYTES = 32;
  private static final Pattern FORM =
      Pattern.compile("([A-Za-z0-9_-]{1,100})\\.([A-Za-z0-9_-]{43})");

  private final AccountStore accounts;
  private final Clock clock;

  /** Tokens kept in {@code accounts}, their expiry judged by {@code clock}. */
  public OneTimeTokens(AccountStore accounts, Clock clock) {
    this.accounts = requireNonNull(accounts, "accounts");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Issues a token of {@code purpose} for {@code account} as it is now, valid for {@code ttl};
   * completes with the token (to be mailed, never stored), or empty when the account is gone.
   */
  public CompletionStage<Optional<String>> issue(
      OneTimePurpose purpose, Account account, Duration ttl) {
    byte[] secret = new byte[SECRET_BYTES];
    RANDOM.nextBytes(secret);
    String token =
        account.id() + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    return accounts
        .issueToken(
            purpose,
            account.id(),
            hash(purpose, secret, binding(purpose, account)),
            clock.instant().plus(ttl),
            ResetSettings.TOKENS_PER_ACCOUNT)
        .thenApply(exists -> exists ? Optional.of(token) : Optional.empty());
  }

  /** A token {@link #redeem} used up: its account, as it is now, and the token's expiry. */
  public record Redeemed(Account account, Instant expires) {
    /** Checks both parts. */
    public Redeemed {
      requireNonNull(account, "account");
      requireNonNull(expires, "expires");
    }
  }

  /**
   * Uses up a token of {@code purpose}: completes with its account, as it is now, and its expiry
   * when the token was issued for it, has not expired nor been used, and the account still has the
   * password and address the token was bound to and may log in; else empty (the same for every
   * reason).
   */
  public CompletionStage<Optional<Redeemed>> redeem(OneTimePurpose purpose, String token) {
    requireNonNull(token, "token");
    if (token.length() > MAX_CHARS) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    var m = FORM.matcher(token);
    if (!m.matches()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    String id = m.group(1);
    byte[] secret = Base64.getUrlDecoder().decode(m.group(2));
    return accounts
        .byId(id)
        .thenCompose(
            found -> {
              if (found.isEmpty()) {
                return CompletableFuture.completedFuture(Optional.<Redeemed>empty());
              }
              Account a = found.get();
              return accounts
                  .takeToken(purpose, hash(purpose, secret, binding(purpose, a)), clock.instant())
                  .thenApply(
                      taken ->
                          taken.isPresent()
                                  && taken.get().accountId().equals(a.id())
                                  && a.status() == AccountStatus.ACTIVE
                              ? Optional.of(new Redeemed(a, taken.get().expires()))
                              : Optional.<Redeemed>empty());
            });
  }

  /**
   * Stores a token that {@link #redeem} used up again (its use was refused for a reason that is not
   * the token's) with the expiry it was issued with, so a refused use never lengthens its life;
   * completes with whether the account exists.
   */
  public CompletionStage<Boolean> reinstate(
      OneTimePurpose purpose, Redeemed redeemed, String token) {
    Account account = redeemed.account();
    var m = FORM.matcher(token);
    if (token.length() > MAX_CHARS || !m.matches() || !m.group(1).equals(account.id())) {
      return CompletableFuture.completedFuture(false);
    }
    byte[] secret = Base64.getUrlDecoder().decode(m.group(2));
    return accounts.issueToken(
        purpose,
        account.id(),
        hash(purpose, secret, binding(purpose, account)),
        redeemed.expires(),
        ResetSettings.TOKENS_PER_ACCOUNT);
  }

  /**
   * What a token of {@code purpose} stops working without: the password and address, or the
   * address.
   */
  static String binding(OneTimePurpose purpose, Account a) {
    String email = a.email() == null ? "" : a.email();
    return switch (purpose) {
      case PASSWORD_RESET, INVITATION, MFA_CHALLENGE, TOTP_ENROLMENT ->
          orEmpty(a.passwordHash()) + "\n" + email;
      case EMAIL_VERIFICATION -> email;
    };
  }

  private static String orEmpty(@Nullable String s) {
    return s == null ? "" : s;
  }

  static byte[] hash(OneTimePurpose purpose, byte[] secret, String binding) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(purpose.code().getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0);
      d.update(secret);
      d.update((byte) 0);
      d.update(binding.getBytes(StandardCharsets.UTF_8));
      return d.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
