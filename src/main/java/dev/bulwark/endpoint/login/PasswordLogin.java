package dev.bulwark.endpoint.login;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.identity.login.LoginName;
import dev.bulwark.identity.login.LoginThrottle;
import dev.bulwark.identity.login.ThrottleDecision;
import dev.bulwark.identity.password.PasswordVerification;
import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStatus;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * {@code POST login}: the throttle first (per address, and per address and login name), then the
 * login name read strictly, the account looked up, the password checked with Argon2id on the
 * blocking executor (against a dummy hash for an unknown or unreadable name, so that every wrong
 * answer costs the same), a hash made at an older cost replaced, and then either tokens (amr {@code
 * pwd}) or, for an account with TOTP, an {@code mfa_token}. A wrong password, an unknown or
 * unreadable name and a disabled account all get the same 401 {@code invalid_credentials}.
 */
final class PasswordLogin {
  /** The password's amr (RFC 8176). */
  static final List<String> PASSWORD = List.of("pwd");

  private final LoginServices s;

  PasswordLogin(LoginServices services) {
    this.s = services;
  }

  void run(Exchange ex, JsonNode body) {
    String raw = Objects.requireNonNullElse(LoginEndpoint.text(body, "login"), "");
    String password = Objects.requireNonNullElse(LoginEndpoint.text(body, "password"), "");
    LoginName.Parsed parsed = LoginName.parse(raw);
    LoginName readable = parsed.name();
    LoginName name = readable != null ? readable : LoginName.unreadable(raw);
    LoginThrottle.Attempt attempt =
        new LoginThrottle.Attempt(ex.requestId(), ex.clientAddress(), s.route(), name);
    ThrottleDecision d = s.throttle().check(attempt, LoginThrottle.Factor.PASSWORD);
    switch (d.action()) {
      case REFUSE -> LoginEndpoint.retryLater(ex, LoginEndpoint.THROTTLED, d.retryAfterSeconds());
      case DELAY ->
          LoginEndpoint.hold(
              ex, d.after().toMillis(), () -> lookUp(ex, attempt, readable, password));
      default -> lookUp(ex, attempt, readable, password);
    }
  }

  private void lookUp(
      Exchange ex, LoginThrottle.Attempt attempt, @Nullable LoginName readable, String password) {
    CompletionStage<Optional<Account>> found =
        readable == null
            ? CompletableFuture.completedFuture(Optional.empty())
            : s.accounts().byLogin(readable.value());
    LoginEndpoint.after(
        ex,
        found,
        (account, failure) -> {
          if (failure != null) {
            LoginEndpoint.unavailable(ex, failure);
            return;
          }
          Account a = account.orElse(null);
          CompletionStage<PasswordVerification> checked;
          try {
            checked =
                s.hasher().verifyAsync(s.blocking(), a == null ? null : a.passwordHash(), password);
          } catch (RuntimeException refused) {
            LoginEndpoint.unavailable(ex, refused);
            return;
          }
          LoginEndpoint.after(ex, checked, (v, e) -> verified(ex, attempt, a, password, v, e));
        });
  }

  private void verified(
      Exchange ex,
      LoginThrottle.Attempt attempt,
      @Nullable Account a,
      String password,
      @Nullable PasswordVerification v,
      @Nullable Throwable failure) {
    if (failure != null || v == null) {
      LoginEndpoint.unavailable(ex, failure == null ? new IllegalStateException() : failure);
      return;
    }
    if (a == null || !v.matches() || a.status() != AccountStatus.ACTIVE) {
      LoginEndpoint.after(
          ex,
          s.throttle().failed(attempt, LoginThrottle.Factor.PASSWORD),
          (next, e) -> LoginEndpoint.deny(ex, LoginEndpoint.INVALID_CREDENTIALS));
      return;
    }
    if (v.needsRehash()) {
      rehash(a, password);
    }
    s.throttle().succeeded(attempt, LoginThrottle.Factor.PASSWORD);
    if (a.totpEnrolled()) {
      LoginEndpoint.after(
          ex,
          s.challenges().issue(a.id()),
          (issued, e) -> {
            if (e != null) {
              LoginEndpoint.unavailable(ex, e);
              return;
            }
            ObjectNode o = LoginEndpoint.object();
            o.put("mfa_required", true);
            o.put("mfa_token", issued.token());
            o.put("expires_in", issued.expiresIn());
            LoginEndpoint.ok(ex, o);
          });
      return;
    }
    signIn(ex, s, a, PASSWORD);
  }

  /** Signs an account in with {@code amr} and answers its tokens. */
  static void signIn(Exchange ex, LoginServices s, Account a, List<String> amr) {
    LoginEndpoint.after(
        ex,
        s.claims()
            .of(a)
            .thenCompose(
                subject ->
                    s.tokens()
                        .signIn(Objects.requireNonNull(subject), amr, LoginEndpoint.origin(ex))),
        (grant, e) -> {
          if (e != null) {
            LoginEndpoint.unavailable(ex, e);
            return;
          }
          LoginEndpoint.tokens(ex, grant);
        });
  }

  /**
   * Replaces a hash made at another cost, now that the password is known in clear; best effort (a
   * full queue or a concurrent change leaves the old hash, upgraded at a later login).
   */
  private void rehash(Account a, String password) {
    try {
      s.hasher()
          .hashAsync(s.blocking(), password)
          .thenCompose(h -> s.accounts().update(a.withPasswordHash(h)))
          .exceptionally(e -> Optional.empty());
    } catch (RuntimeException refused) {
      // the next login tries again
    }
  }
}
