package dev.bulwark.identity.mail;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.identity.login.LoginName;
import dev.bulwark.identity.password.PasswordHasher;
import dev.bulwark.identity.password.PasswordPolicy;
import dev.bulwark.identity.password.PasswordVerdict;
import dev.bulwark.identity.tokens.Origin;
import dev.bulwark.identity.tokens.TokenService;
import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStore;
import dev.bulwark.store.BanStore;
import dev.bulwark.store.OneTimePurpose;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Password reset and email verification without enumeration: a request is admitted or refused by
 * its client address alone (the same for every login name), the answer goes out before any account
 * is looked up, and the rest (the per-login mail limit, the lookup, the token, the mail) happens in
 * the background; a confirmation checks the new password against the policy, redeems the token
 * (single use, bound to the password and address it was issued for), stores the new hash, drops
 * every other token of the account and ends every session.
 */
public final class PasswordReset {
  private static final HexFormat HEX = HexFormat.of();

  /** What a confirmation came to. */
  public sealed interface Confirmation {
    /** The password was set; {@code sessions} sessions were ended. */
    record Done(String account, int sessions) implements Confirmation {}

    /** The password was refused by the policy: the token is still usable. */
    record Refused(List<String> reasons) implements Confirmation {
      public Refused {
        reasons = List.copyOf(reasons);
      }
    }

    /** The token was malformed, unknown, expired, used, or no longer matches the account. */
    record InvalidToken() implements Confirmation {}
  }

  private final ResetSettings settings;
  private final AccountStore accounts;
  private final BanStore counters;
  private final AccountMail mail;
  private final PasswordPolicy policy;
  private final PasswordHasher hasher;
  private final BlockingExecutor blocking;
  private final @Nullable TokenService sessions;
  private final SecurityEvents events;

  /**
   * A reset over these services; {@code sessions} is null when the gateway issues no tokens (there
   * are then no sessions to end).
   */
  public PasswordReset(
      ResetSettings settings,
      AccountStore accounts,
      BanStore counters,
      AccountMail mail,
      PasswordPolicy policy,
      PasswordHasher hasher,
      BlockingExecutor blocking,
      @Nullable TokenService sessions,
      SecurityEvents events) {
    this.settings = requireNonNull(settings, "settings");
    this.accounts = requireNonNull(accounts, "accounts");
    this.counters = requireNonNull(counters, "counters");
    this.mail = requireNonNull(mail, "mail");
    this.policy = requireNonNull(policy, "policy");
    this.hasher = requireNonNull(hasher, "hasher");
    this.blocking = requireNonNull(blocking, "blocking");
    this.sessions = sessions;
    this.events = requireNonNull(events, "events");
  }

  /** Returns the window the per-address and per-login counts are kept in. */
  public java.time.Duration window() {
    return settings.window();
  }

  /** Returns the mail service. */
  public AccountMail mail() {
    return mail;
  }

  /**
   * Counts a reset request of {@code client}; completes with whether it is within {@code
   * per-address} (else the endpoint answers 429). Depends on the address only, never on the login
   * asked for; a store failure refuses (never exceptionally).
   */
  public CompletionStage<Boolean> admit(String client) {
    return counters
        .strike("reset-address", client, settings.window())
        .thenApply(n -> n <= settings.perAddress())
        .exceptionally(storeDown -> false);
  }

  /**
   * Does the rest of a reset request, after it was answered: at most {@code per-login} mails per
   * login name and window, then the lookup, the token and the mail. Never completes exceptionally;
   * what happened is the {@code password-reset-requested} event's reason.
   */
  public CompletionStage<Void> requested(String rawLogin, Origin origin, @Nullable String route) {
    LoginName.Parsed parsed = LoginName.parse(rawLogin);
    LoginName name = parsed.name();
    if (name == null) {
      requestedEvent(origin, route, null, "not a login name");
      return CompletableFuture.completedFuture(null);
    }
    return counters
        .strike("reset-login", nameKey(name), settings.window())
        .thenCompose(
            n -> {
              if (n > settings.perLogin()) {
                requestedEvent(origin, route, null, "per-login limit reached, nothing sent");
                return CompletableFuture.completedFuture(null);
              }
              return accounts
                  .byLogin(name.value())
                  .thenCompose(
                      found -> {
                        if (found.isEmpty()) {
                          requestedEvent(origin, route, null, "no such account, nothing sent");
                          return CompletableFuture.<Void>completedFuture(null);
                        }
                        Account a = found.get();
                        return mail.sendReset(a)
                            .thenAccept(
                                outcome ->
                                    requestedEvent(
                                        origin,
                                        route,
                                        a.id(),
                                        switch (outcome) {
                                          case QUEUED -> "mail queued";
                                          case NO_ADDRESS -> "no address or disabled, nothing sent";
                                          case NO_ACCOUNT -> "no such account, nothing sent";
                                          case DROPPED -> "mail dropped (queue full)";
                                        }));
                      });
            })
        .exceptionally(
            e -> {
              requestedEvent(origin, route, null, "store unavailable, nothing sent");
              return null;
            });
  }

  /**
   * Sets a new password with a reset (or invitation) token. Completes exceptionally only when the
   * store or the blocking executor failed ({@link BlockingExecutor.Refused}: answer 503).
   */
  public CompletionStage<Confirmation> confirm(
      String token, String password, Origin origin, @Nullable String route) {
    requireNonNull(token, "token");
    requireNonNull(password, "password");
    // The policy first, without the login name: a refused password must not use up the token.
    return policy
        .check(blocking, password, "")
        .thenCompose(
            verdict -> {
              if (!verdict.accepted()) {
                return done(new Confirmation.Refused(verdict.reasons()));
              }
              return mail.tokens()
                  .redeem(OneTimePurpose.PASSWORD_RESET, token)
                  .thenCompose(
                      found ->
                          found.isEmpty()
                              ? done(new Confirmation.InvalidToken())
                              : withAccount(found.get(), token, password, origin, route));
            });
  }

  private CompletionStage<Confirmation> withAccount(
      OneTimeTokens.Redeemed redeemed,
      String token,
      String password,
      Origin origin,
      @Nullable String route) {
    Account account = redeemed.account();
    return blocking
        .submit(() -> policy.checkLocally(password, account.loginName()))
        .thenCompose(
            (PasswordVerdict verdict) -> {
              if (!verdict.accepted()) {
                // Too close to the login name, which only the account tells: the token was used
                // up to find it, so it is stored again, with the expiry it was issued with (a
                // refused password must not lengthen its life).
                return mail.tokens()
                    .reinstate(OneTimePurpose.PASSWORD_RESET, redeemed, token)
                    .thenApply(ok -> new Confirmation.Refused(verdict.reasons()));
              }
              return hasher
                  .hashAsync(blocking, password)
                  .thenCompose(hash -> store(account, hash, 2))
                  .thenCompose(
                      stored ->
                          stored.isEmpty()
                              ? done(new Confirmation.InvalidToken())
                              : finish(stored.get(), origin, route));
            });
  }

  /** Writes the new hash (and the verified address the token proved), retrying a lost race. */
  private CompletionStage<Optional<Account>> store(Account account, String hash, int tries) {
    Account changed =
        account.withPasswordHash(hash).withEmail(account.email(), account.email() != null);
    return accounts
        .update(changed)
        .thenCompose(
            written -> {
              if (written.isPresent() || tries <= 1) {
                return CompletableFuture.completedFuture(written);
              }
              return accounts
                  .byId(account.id())
                  .thenCompose(
                      again ->
                          again.isEmpty()
                                  || !OneTimeTokens.binding(
                                          OneTimePurpose.PASSWORD_RESET, again.get())
                                      .equals(
                                          OneTimeTokens.binding(
                                              OneTimePurpose.PASSWORD_RESET, account))
                              // gone, or its password or address changed since: the token is stale
                              ? CompletableFuture.completedFuture(Optional.<Account>empty())
                              : store(again.get(), hash, tries - 1));
            });
  }

  private CompletionStage<Confirmation> finish(
      Account account, Origin origin, @Nullable String route) {
    CompletionStage<Integer> ended =
        sessions == null
            ? CompletableFuture.completedFuture(0)
            : sessions.revokeAll(account.id(), origin, "password-reset");
    return accounts
        .revokeTokens(account.id())
        .thenCompose(dropped -> ended)
        .thenApply(
            n -> {
              events.publish(
                  SecurityEvent.accountMail(
                      SecurityEventKind.PASSWORD_RESET_COMPLETED,
                      origin.requestId(),
                      origin.clientAddress(),
                      route,
                      account.id(),
                      n + " sessions ended"));
              return new Confirmation.Done(account.id(), n);
            });
  }

  /**
   * Marks an address verified with a verification token; completes with whether the token was good.
   * Completes exceptionally only when the store failed.
   */
  public CompletionStage<Boolean> verifyEmail(String token, Origin origin, @Nullable String route) {
    requireNonNull(token, "token");
    return mail.tokens()
        .redeem(OneTimePurpose.EMAIL_VERIFICATION, token)
        .thenCompose(
            found -> {
              if (found.isEmpty()) {
                return CompletableFuture.completedFuture(false);
              }
              Account a = found.get().account();
              return accounts
                  .update(a.withEmail(a.email(), true))
                  .thenApply(
                      written -> {
                        if (written.isPresent()) {
                          events.publish(
                              SecurityEvent.accountMail(
                                  SecurityEventKind.EMAIL_VERIFIED,
                                  origin.requestId(),
                                  origin.clientAddress(),
                                  route,
                                  a.id(),
                                  null));
                        }
                        return written.isPresent();
                      });
            });
  }

  private void requestedEvent(
      Origin origin, @Nullable String route, @Nullable String account, String what) {
    events.publish(
        SecurityEvent.accountMail(
            SecurityEventKind.PASSWORD_RESET_REQUESTED,
            origin.requestId(),
            origin.clientAddress(),
            route,
            account,
            what));
  }

  private static <T> CompletionStage<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }

  /** Keys a login name by a truncated SHA-256, so the counter store never holds it in clear. */
  static String nameKey(LoginName login) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(login.value().getBytes(StandardCharsets.UTF_8));
      return HEX.formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
    }
  }
}
