package dev.bulwark.admin.dashboard;

import static java.util.Objects.requireNonNull;

import dev.bulwark.admin.AdminCall;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.exchange.IpAddresses;
import dev.bulwark.identity.login.LoginName;
import dev.bulwark.identity.login.LoginThrottle;
import dev.bulwark.identity.login.ThrottleDecision;
import dev.bulwark.identity.password.PasswordHasher;
import dev.bulwark.identity.password.PasswordVerification;
import dev.bulwark.identity.totp.AccountFactors;
import dev.bulwark.identity.totp.TotpVerifier;
import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStatus;
import dev.bulwark.store.AccountStore;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The dashboard's sign-in with an account: login name, password and a second factor in one form.
 * The password is checked with Argon2id on the blocking executor (against a dummy hash for an
 * unknown name, so that it answers like a wrong password, in the same time); only then is the
 * account's admin role checked, and a dashboard admin must have TOTP enrolled (else refused, with
 * the advice to enrol it). The code is a TOTP code, accepted once (the store takes its time step
 * only if later than the last), or a recovery code, used up. Passwords and codes are throttled by
 * the gateway's {@link LoginThrottle} with its events ({@code login-failed}, {@code mfa-failed},
 * {@code login-throttled}, {@code login-succeeded}) under the route {@value #ROUTE}; a right
 * password refused for the role or the missing second factor is an {@code admin-auth-failed} event.
 */
public final class TwoFactorSignIn implements OperatorSignIn {
  /** The route name that the dashboard's sign-in events carry. */
  public static final String ROUTE = "admin:dashboard";

  static final String WRONG = "Wrong login name or password.";
  static final String WRONG_CODE = "Wrong or already used code.";
  static final String NOT_ADMIN = "This account is not a dashboard admin.";
  static final String NO_SECOND_FACTOR =
      "Enrol a second factor (TOTP) for this account first: the dashboard signs in only with a"
          + " password and a code.";
  static final String UNAVAILABLE = "Sign-in could not be checked now; try again.";

  private static final Pattern TOTP_CODE = Pattern.compile("[0-9]{6,8}");

  private final DashboardAdmins admins;
  private final Services s;

  /**
   * What the sign-in reads and acts through.
   *
   * @param accounts the gateway's accounts
   * @param hasher the password hasher (made on first use: it costs a hash)
   * @param blocking the executor of password hashing
   * @param throttle the login throttle
   * @param totp the TOTP settings' verifier
   * @param security the security events
   * @param vertx the timers of throttle delays
   * @param clock the time of TOTP codes
   */
  record Services(
      AccountStore accounts,
      Supplier<PasswordHasher> hasher,
      BlockingExecutor blocking,
      LoginThrottle throttle,
      TotpVerifier totp,
      SecurityEvents security,
      Vertx vertx,
      Clock clock) {
    Services {
      requireNonNull(accounts, "accounts");
      requireNonNull(hasher, "hasher");
      requireNonNull(blocking, "blocking");
      requireNonNull(throttle, "throttle");
      requireNonNull(totp, "totp");
      requireNonNull(security, "security");
      requireNonNull(vertx, "vertx");
      requireNonNull(clock, "clock");
    }

    /** Returns the checks of an account's TOTP and recovery codes. */
    AccountFactors factors() {
      return new AccountFactors(accounts, totp, clock);
    }
  }

  /**
   * A sign-in for the admins that {@code config} names ({@code admin.dashboard}), over {@code
   * organisations} and {@code services}.
   */
  TwoFactorSignIn(
      Supplier<dev.bulwark.config.AdminConfig> config,
      dev.bulwark.store.OrganisationStore organisations,
      Services services) {
    this.admins = new DashboardAdmins(config, organisations);
    this.s = requireNonNull(services, "services");
  }

  /**
   * A sign-in over the gateway's stores with its identity settings (password cost, TOTP, login
   * throttle); the hasher is made on first use.
   */
  public static TwoFactorSignIn of(
      Supplier<dev.bulwark.config.AdminConfig> config,
      dev.bulwark.store.Stores stores,
      dev.bulwark.identity.IdentitySettings identity,
      BlockingExecutor blocking,
      SecurityEvents security,
      Vertx vertx) {
    java.util.concurrent.atomic.AtomicReference<PasswordHasher> hasher =
        new java.util.concurrent.atomic.AtomicReference<>();
    dev.bulwark.identity.password.Argon2Cost cost = identity.passwords().argon2();
    return new TwoFactorSignIn(
        config,
        stores.organisations(),
        new Services(
            stores.accounts(),
            () -> hasher.updateAndGet(h -> h != null ? h : new PasswordHasher(cost)),
            blocking,
            new LoginThrottle(identity.loginThrottle(), stores.bans(), security),
            new TotpVerifier(identity.totp()),
            security,
            vertx,
            Clock.systemUTC()));
  }

  @Override
  public boolean enabled() {
    return admins.enabled();
  }

  /** One sign-in under way. */
  private record Attempt(
      AdminCall call,
      LoginThrottle.Attempt throttled,
      @Nullable LoginName readable,
      String password,
      String code,
      Consumer<Outcome> then) {}

  @Override
  public void signIn(AdminCall call, Map<String, String> form, Consumer<Outcome> then) {
    String raw = form.getOrDefault("login", "");
    LoginName readable = LoginName.parse(raw).name();
    LoginName name = readable != null ? readable : LoginName.unreadable(raw);
    Attempt a =
        new Attempt(
            call,
            new LoginThrottle.Attempt(call.requestId(), client(call), ROUTE, name),
            readable,
            form.getOrDefault("password", ""),
            form.getOrDefault("code", "").replace(" ", ""),
            once(then));
    try {
      after(s.throttle().check(a.throttled(), LoginThrottle.Factor.PASSWORD), a, this::lookUp);
    } catch (RuntimeException e) {
      a.then().accept(Outcome.refused(503, UNAVAILABLE));
    }
  }

  /** Runs {@code next} now, after the throttle's delay, or answers its refusal. */
  private void after(ThrottleDecision d, Attempt a, Consumer<Attempt> next) {
    switch (d.action()) {
      case REFUSE -> a.then().accept(Outcome.throttled(d.retryAfterSeconds()));
      case DELAY -> s.vertx().setTimer(Math.max(1, d.after().toMillis()), t -> next.accept(a));
      default -> next.accept(a);
    }
  }

  private void lookUp(Attempt a) {
    CompletionStage<Optional<Account>> found =
        a.readable() == null
            ? CompletableFuture.completedFuture(Optional.empty())
            : s.accounts().byLogin(a.readable().value());
    found
        .thenCompose(
            account -> {
              Account known = account.orElse(null);
              return s.hasher()
                  .get()
                  .verifyAsync(
                      s.blocking(), known == null ? null : known.passwordHash(), a.password())
                  .thenApply(v -> new Checked(known, v));
            })
        .whenComplete(
            (c, failure) -> {
              if (failure != null) {
                a.then().accept(Outcome.refused(503, UNAVAILABLE));
              } else {
                passwordChecked(a, c);
              }
            });
  }

  /** An account (or none) and what its password check came to. */
  private record Checked(@Nullable Account account, PasswordVerification verification) {}

  private void passwordChecked(Attempt a, Checked c) {
    Account account = c.account();
    if (account == null
        || !c.verification().matches()
        || account.status() != AccountStatus.ACTIVE) {
      s.throttle()
          .failed(a.throttled(), LoginThrottle.Factor.PASSWORD)
          .whenComplete((d, e) -> a.then().accept(Outcome.refused(401, WRONG)));
      return;
    }
    admins
        .isAdmin(account)
        .whenComplete(
            (admin, failure) -> {
              if (failure != null) {
                a.then().accept(Outcome.refused(503, UNAVAILABLE));
              } else if (!admin) {
                refuse(a, account, "not a dashboard admin (" + admins.describe() + ")", NOT_ADMIN);
              } else if (!account.totpEnrolled()) {
                refuse(a, account, "dashboard admin without a second factor", NO_SECOND_FACTOR);
              } else {
                s.throttle().succeeded(a.throttled(), LoginThrottle.Factor.PASSWORD);
                LoginThrottle.Factor factor = factor(a.code());
                after(
                    s.throttle().check(a.throttled(), factor),
                    a,
                    x -> secondFactor(a, account, factor));
              }
            });
  }

  private void refuse(Attempt a, Account account, String reason, String message) {
    s.security()
        .publish(
            SecurityEvent.adminAuthFailed(
                a.call().requestId(),
                a.throttled().client(),
                403,
                "account " + account.id() + ": " + reason,
                a.call().method(),
                a.call().path()));
    a.then().accept(Outcome.refused(403, message));
  }

  private void secondFactor(Attempt a, Account account, LoginThrottle.Factor factor) {
    CompletionStage<Boolean> accepted =
        a.code().isEmpty()
            ? CompletableFuture.completedFuture(false)
            : factor == LoginThrottle.Factor.TOTP
                ? s.factors().totp(account.id(), a.code())
                : s.factors().recovery(account.id(), a.code());
    accepted.whenComplete(
        (ok, failure) -> {
          if (failure != null) {
            a.then().accept(Outcome.refused(503, UNAVAILABLE));
          } else if (ok) {
            s.throttle()
                .succeeded(a.throttled(), factor)
                .whenComplete((x, e) -> a.then().accept(Outcome.signedIn(account.loginName())));
          } else {
            s.throttle()
                .failed(a.throttled(), factor)
                .whenComplete((d, e) -> a.then().accept(Outcome.refused(401, WRONG_CODE)));
          }
        });
  }

  /** A TOTP code is digits; anything else is tried as a recovery code. */
  static LoginThrottle.Factor factor(String code) {
    return TOTP_CODE.matcher(code).matches() || code.isEmpty()
        ? LoginThrottle.Factor.TOTP
        : LoginThrottle.Factor.RECOVERY_CODE;
  }

  private static String client(AdminCall call) {
    String peer = call.peerAddress();
    byte[] parsed = IpAddresses.parse(peer);
    return parsed == null ? peer : IpAddresses.format(parsed);
  }

  /** Lets {@code then} run once, whatever path answers first. */
  private static Consumer<Outcome> once(Consumer<Outcome> then) {
    java.util.concurrent.atomic.AtomicBoolean done =
        new java.util.concurrent.atomic.AtomicBoolean();
    return o -> {
      if (done.compareAndSet(false, true)) {
        then.accept(o);
      }
    };
  }
}
