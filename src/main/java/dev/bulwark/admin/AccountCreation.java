package dev.bulwark.admin;

import static dev.bulwark.admin.JsonRequest.JSON;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.identity.login.LoginName;
import dev.bulwark.identity.password.PasswordHasher;
import dev.bulwark.identity.password.PasswordPolicy;
import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStore;
import dev.bulwark.store.NewAccount;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code POST /accounts}: makes an account with a password (checked by the policy, then hashed) or,
 * without one, with an invitation; a login name taken, or a look-alike of one, is refused before
 * any password is hashed.
 */
final class AccountCreation {
  /** The largest body a call takes, in bytes (a password of 1,024 characters fits many times). */
  static final int MAX_BODY = 16 * 1024;

  /** The longest display name, in UTF-16 code units. */
  static final int MAX_DISPLAY_NAME = 200;

  /** The longest email address. */
  static final int MAX_EMAIL = 254;

  private static final Set<String> FIELDS = Set.of("login", "email", "displayName", "password");
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

  private final AccountStore accounts;
  private final AccountInvitations invitations;
  private final SecurityEvents security;
  private final BlockingExecutor blocking;
  private final PasswordPolicy policy;
  private final Supplier<PasswordHasher> hasher;

  AccountCreation(
      AccountStore accounts,
      AccountInvitations invitations,
      SecurityEvents security,
      BlockingExecutor blocking,
      PasswordPolicy policy,
      Supplier<PasswordHasher> hasher) {
    this.accounts = requireNonNull(accounts, "accounts");
    this.invitations = requireNonNull(invitations, "invitations");
    this.security = requireNonNull(security, "security");
    this.blocking = requireNonNull(blocking, "blocking");
    this.policy = requireNonNull(policy, "policy");
    this.hasher = requireNonNull(hasher, "hasher");
  }

  /** What a create call asks for; no password means an invitation. */
  private record Wanted(
      String loginAsGiven,
      LoginName login,
      @Nullable String email,
      String displayName,
      @Nullable String password) {}

  private static Wanted wanted(AdminCall call) {
    ObjectNode n = JsonRequest.object(call, FIELDS);
    String loginAsGiven = JsonRequest.required(n, "login", LoginName.MAX_RAW_CHARS).strip();
    LoginName.Parsed parsed = LoginName.parse(loginAsGiven);
    LoginName login = parsed.name();
    if (login == null) {
      throw new JsonRequest.Invalid(400, "login", String.valueOf(parsed.problem()));
    }
    String email = JsonRequest.text(n, "email", MAX_EMAIL);
    if (email != null && !EMAIL.matcher(email).matches()) {
      throw new JsonRequest.Invalid(400, "email", "expected an address such as ada@example.com");
    }
    String displayName = JsonRequest.text(n, "displayName", MAX_DISPLAY_NAME);
    if (displayName == null || displayName.isBlank()) {
      displayName = loginAsGiven;
    }
    return new Wanted(loginAsGiven, login, email, displayName, passwordField(n));
  }

  /** A new account and, when it has no password, its invitation. */
  private record Created(Account account, @Nullable ObjectNode invitation) {}

  void create(AdminCall call) {
    Wanted w = AdminAnswers.parsed(call, () -> wanted(call));
    if (w == null) {
      return;
    }
    String password = w.password();
    String loginValue = w.login().value();
    String skeleton = w.login().skeleton();
    // A name taken, or a look-alike of one, is refused before any password is hashed.
    accounts
        .byLogin(loginValue)
        .thenCompose(
            same -> {
              if (same.isPresent()) {
                throw new JsonRequest.Invalid(409, "login", "taken");
              }
              return skeleton.equals(loginValue)
                  ? CompletableFuture.completedFuture(Optional.<Account>empty())
                  : accounts.byLogin(skeleton);
            })
        .thenCompose(
            alike -> {
              if (alike.isPresent()) {
                throw new JsonRequest.Invalid(
                    409, "login", "looks like an existing login name (confusable characters)");
              }
              return password == null
                  ? CompletableFuture.completedFuture(Optional.<String>empty())
                  : hashChecked(password, loginValue).thenApply(Optional::of);
            })
        .thenCompose(
            hash ->
                accounts
                    .create(
                        new NewAccount(
                            w.loginAsGiven(),
                            loginValue,
                            w.email(),
                            false,
                            w.displayName(),
                            hash.orElse(null)))
                    .thenApply(
                        made ->
                            made.orElseThrow(() -> new JsonRequest.Invalid(409, "login", "taken"))))
        .thenCompose(
            account ->
                password != null
                    ? CompletableFuture.completedFuture(new Created(account, null))
                    : invited(call, account))
        .whenComplete(
            AdminAnswers.audited(
                call,
                security,
                "account not created",
                created -> {
                  ObjectNode out = JSON.createObjectNode();
                  out.set("account", AccountLifecycle.view(created.account()));
                  if (created.invitation() != null) {
                    out.set("invitation", created.invitation());
                  }
                  return new AdminAnswers.Change(
                      AccountsApi.accountChanged(
                          call,
                          SecurityEventKind.ACCOUNT_CREATED,
                          created.account().id(),
                          password == null ? "invitation" : "password"),
                      201,
                      out,
                      "account " + created.account().id() + " created");
                }));
  }

  /** Invites a new account; when the invitation is not stored, says the account exists anyway. */
  private CompletionStage<Created> invited(AdminCall call, Account account) {
    return invitations
        .issue(account)
        .handle(
            (invitation, lost) -> {
              if (lost != null) {
                // The account exists: say so, and how to get an invitation for it.
                security.publish(
                    AccountsApi.accountChanged(
                            call, SecurityEventKind.ACCOUNT_CREATED, account.id(), "invitation")
                        .withOrigin(AdminAnswers.origin(call)));
                throw new JsonRequest.Invalid(
                    503,
                    "",
                    "account "
                        + account.id()
                        + " created, but its invitation was not stored; POST /accounts/"
                        + account.id()
                        + "/invitation makes one");
              }
              return invitation;
            })
        .thenCompose(i -> invitations.mailed(account, i))
        .thenApply(i -> new Created(account, i));
  }

  private static @Nullable String passwordField(ObjectNode n) {
    var v = n.get("password");
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new JsonRequest.Invalid(400, "password", "expected a string");
    }
    String p = v.textValue();
    if (p.length() > PasswordHasher.MAX_CHARS) {
      throw new JsonRequest.Invalid(
          400, "password", "longer than " + PasswordHasher.MAX_CHARS + " characters");
    }
    return p;
  }

  /** Checks a new password against the policy, then hashes it, both on the blocking executor. */
  private CompletionStage<String> hashChecked(String password, String login) {
    return policy
        .check(blocking, password, login)
        .thenCompose(
            verdict -> {
              if (!verdict.accepted()) {
                throw new JsonRequest.Invalid(400, "password", String.join(" ", verdict.reasons()));
              }
              return blocking.submit(() -> hasher.get().hash(password));
            });
  }
}
