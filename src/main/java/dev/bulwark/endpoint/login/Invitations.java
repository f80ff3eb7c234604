package dev.bulwark.endpoint.login;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.identity.Invitation;
import dev.bulwark.identity.password.PasswordVerdict;
import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStatus;
import dev.bulwark.store.OneTimePurpose;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * {@code POST invitation} {@code {"token","password"}}: an account created without a password (by
 * the admin API or {@code bulwark users invite}) chooses its first one with the invitation token it
 * was given. The token is stored only as its SHA-256 ({@link Invitation}), used up by its first
 * redemption, refused after its expiry and whenever the account is gone, disabled or already has a
 * password; every such refusal is the same 400. The password is checked against the policy before
 * the token is touched, so a refused password leaves it usable; a password too close to the login
 * name (which only the account tells) puts the used token back with the expiry it was issued with.
 * Success stores the hash, drops the account's other one-time tokens, writes {@code
 * account-enabled} (by {@code invitation}) and answers 204: the account logs in as any other.
 */
final class Invitations {
  /** Every token problem, one answer: no telling which accounts exist or were invited. */
  static final Denial INVALID =
      Denial.of(400, "invalid or expired token", "login: invitation token refused");

  static final Denial PASSWORD_REFUSED =
      Denial.of(400, "password refused", "login: invitation password refused by the policy");

  /** The form of {@link Invitation#mint}: 32 bytes in base64url without padding. */
  private static final Pattern FORM = Pattern.compile("[A-Za-z0-9_-]{43}");

  private final LoginServices s;

  Invitations(LoginServices services) {
    this.s = services;
  }

  void run(Exchange ex, JsonNode body) {
    String token = LoginEndpoint.text(body, "token");
    String password = LoginEndpoint.text(body, "password");
    if (token == null || password == null) {
      LoginEndpoint.deny(ex, INVALID);
      return;
    }
    CompletionStage<PasswordVerdict> policy;
    try {
      policy = s.policy().check(s.blocking(), password, "");
    } catch (RuntimeException refused) {
      LoginEndpoint.unavailable(ex, refused);
      return;
    }
    LoginEndpoint.after(
        ex,
        policy,
        (verdict, failure) -> {
          if (failure != null || verdict == null) {
            LoginEndpoint.unavailable(ex, failure == null ? new IllegalStateException() : failure);
          } else if (!verdict.accepted()) {
            refused(ex, verdict.reasons());
          } else if (!FORM.matcher(token).matches()) {
            LoginEndpoint.deny(ex, INVALID);
          } else {
            redeem(ex, Invitation.hash(token), password);
          }
        });
  }

  private void redeem(Exchange ex, byte[] hash, String password) {
    CompletionStage<Optional<Invited>> owner =
        s.accounts()
            .takeToken(OneTimePurpose.INVITATION, hash, s.clock().instant())
            .thenCompose(
                taken ->
                    taken.isEmpty()
                        ? CompletableFuture.completedFuture(Optional.<Invited>empty())
                        : s.accounts()
                            .byId(taken.get().accountId())
                            .thenApply(
                                a ->
                                    a.map(account -> new Invited(account, taken.get().expires()))));
    LoginEndpoint.after(
        ex,
        owner,
        (found, failure) -> {
          if (failure != null || found == null) {
            LoginEndpoint.unavailable(ex, failure == null ? new IllegalStateException() : failure);
            return;
          }
          Invited i = found.orElse(null);
          if (i == null
              || i.account().status() != AccountStatus.ACTIVE
              || i.account().passwordHash() != null) {
            LoginEndpoint.deny(ex, INVALID);
            return;
          }
          withAccount(ex, i.account(), hash, i.expires(), password);
        });
  }

  private void withAccount(Exchange ex, Account a, byte[] hash, Instant expires, String password) {
    CompletionStage<PasswordVerdict> local;
    try {
      local = s.blocking().submit(() -> s.policy().checkLocally(password, a.loginName()));
    } catch (RuntimeException refused) {
      putBack(a, hash, expires);
      LoginEndpoint.unavailable(ex, refused);
      return;
    }
    LoginEndpoint.after(
        ex,
        local,
        (verdict, failure) -> {
          if (failure != null || verdict == null) {
            putBack(a, hash, expires);
            LoginEndpoint.unavailable(ex, failure == null ? new IllegalStateException() : failure);
          } else if (!verdict.accepted()) {
            LoginEndpoint.after(
                ex, putBack(a, hash, expires), (ok, e) -> refused(ex, verdict.reasons()));
          } else {
            store(ex, a, hash, expires, password);
          }
        });
  }

  private void store(Exchange ex, Account a, byte[] hash, Instant expires, String password) {
    CompletionStage<Optional<Account>> written;
    try {
      written =
          s.hasher()
              .hashAsync(s.blocking(), password)
              .thenCompose(h -> s.accounts().update(a.withPasswordHash(h)))
              .thenCompose(
                  w ->
                      w.isEmpty()
                          ? CompletableFuture.completedFuture(w)
                          : s.accounts().revokeTokens(a.id()).thenApply(n -> w));
    } catch (RuntimeException refused) {
      putBack(a, hash, expires);
      LoginEndpoint.unavailable(ex, refused);
      return;
    }
    LoginEndpoint.after(
        ex,
        written,
        (w, failure) -> {
          if (failure != null || w == null) {
            putBack(a, hash, expires);
            LoginEndpoint.unavailable(ex, failure == null ? new IllegalStateException() : failure);
          } else if (w.isEmpty()) {
            LoginEndpoint.deny(ex, INVALID); // the account changed meanwhile
          } else {
            s.security()
                .publish(
                    SecurityEvent.accountChanged(
                        SecurityEventKind.ACCOUNT_ENABLED,
                        ex.requestId(),
                        ex.clientAddress(),
                        "invitation",
                        a.id(),
                        "password chosen"));
            LoginEndpoint.noContent(ex);
          }
        });
  }

  /**
   * Stores a used-up token again (its use failed for a reason that is not the token's) with the
   * expiry it was issued with: a refused password must not buy the invitation a longer life.
   */
  private CompletionStage<Boolean> putBack(Account a, byte[] hash, Instant expires) {
    return s.accounts()
        .issueToken(OneTimePurpose.INVITATION, a.id(), hash, expires, Invitation.PER_ACCOUNT)
        .exceptionally(storeDown -> false);
  }

  /** The account a used-up token was issued for, and the token's expiry. */
  private record Invited(Account account, Instant expires) {}

  private static void refused(Exchange ex, List<String> reasons) {
    StringBuilder sb = new StringBuilder("\"reasons\":[");
    for (int i = 0; i < reasons.size(); i++) {
      sb.append(i == 0 ? "\"" : ",\"");
      JsonStringEncoder.getInstance().quoteAsString(reasons.get(i), sb);
      sb.append('"');
    }
    LoginEndpoint.deny(ex, PASSWORD_REFUSED.withDetails(sb.append(']').toString()));
  }
}
