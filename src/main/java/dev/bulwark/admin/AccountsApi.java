package dev.bulwark.admin;

import static dev.bulwark.admin.JsonRequest.JSON;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.identity.Invitation;
import dev.bulwark.identity.login.LoginName;
import dev.bulwark.identity.mail.AccountMail;
import dev.bulwark.identity.password.PasswordHasher;
import dev.bulwark.identity.password.PasswordPolicy;
import dev.bulwark.identity.tokens.Origin;
import dev.bulwark.identity.tokens.SessionInfo;
import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStatus;
import dev.bulwark.store.AccountStore;
import dev.bulwark.store.Membership;
import dev.bulwark.store.NewAccount;
import dev.bulwark.store.OneTimePurpose;
import dev.bulwark.store.OrganisationStore;
import dev.bulwark.store.Page;
import dev.bulwark.store.StoredFieldLimits;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The account API of the admin listener (operators only): create an account with a password or an
 * invitation, list, show, disable (every session revoked), enable, delete (personal data erased,
 * sessions revoked), remove the second factor, list and revoke sessions. An account is named in a
 * path by its id, or by its login name. Every change is answered only once its security event is
 * stored by the audit trail (when there is one); see {@code docs/users-and-organisations.md}.
 */
public final class AccountsApi {
  /** The largest body a call takes, in bytes (a password of 1,024 characters fits many times). */
  static final int MAX_BODY = 16 * 1024;

  /** The longest display name, in UTF-16 code units. */
  static final int MAX_DISPLAY_NAME = 200;

  /** The longest email address. */
  static final int MAX_EMAIL = 254;

  private static final Set<String> CREATE_FIELDS =
      Set.of("login", "email", "displayName", "password");
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
  private static final String BY = "admin";

  private final AccountStore accounts;
  private final OrganisationStore organisations;
  private final AccountSessions sessions;
  private final SecurityEvents security;
  private final BlockingExecutor blocking;
  private final PasswordPolicy policy;
  private final Supplier<PasswordHasher> hasher;
  private final Clock clock;
  private final @Nullable AccountMail mail;

  /**
   * An API over the account store; {@code hasher} is asked on the blocking executor the first time
   * a password is set (making one costs a hash). Invitations are only printed, never mailed.
   */
  public AccountsApi(
      AccountStore accounts,
      OrganisationStore organisations,
      AccountSessions sessions,
      SecurityEvents security,
      BlockingExecutor blocking,
      PasswordPolicy policy,
      Supplier<PasswordHasher> hasher,
      Clock clock) {
    this(accounts, organisations, sessions, security, blocking, policy, hasher, clock, null);
  }

  /**
   * An API like the other constructor's that also mails each invitation it makes through {@code
   * mail} (when {@code identity.mail} is set) to an account that has an address.
   */
  public AccountsApi(
      AccountStore accounts,
      OrganisationStore organisations,
      AccountSessions sessions,
      SecurityEvents security,
      BlockingExecutor blocking,
      PasswordPolicy policy,
      Supplier<PasswordHasher> hasher,
      Clock clock,
      @Nullable AccountMail mail) {
    this.mail = mail;
    this.accounts = requireNonNull(accounts, "accounts");
    this.organisations = requireNonNull(organisations, "organisations");
    this.sessions = requireNonNull(sessions, "sessions");
    this.security = requireNonNull(security, "security");
    this.blocking = requireNonNull(blocking, "blocking");
    this.policy = requireNonNull(policy, "policy");
    this.hasher = requireNonNull(hasher, "hasher");
    this.clock = requireNonNull(clock, "clock");
  }

  /** Adds the account routes, for operators only. */
  public AdminRouter.Builder register(AdminRouter.Builder router) {
    AdminAccess op = AdminAccess.OPERATOR;
    return router
        .get("/accounts", op, this::list)
        .route("POST", "/accounts", op, MAX_BODY, this::create)
        .get("/accounts/{id}", op, this::show)
        .route("DELETE", "/accounts/{id}", op, 0, this::delete)
        .route("POST", "/accounts/{id}/disable", op, 0, call -> setStatus(call, false))
        .route("POST", "/accounts/{id}/enable", op, 0, call -> setStatus(call, true))
        .route("POST", "/accounts/{id}/invitation", op, 0, this::invite)
        .route("DELETE", "/accounts/{id}/second-factor", op, 0, this::removeSecondFactor)
        .get("/accounts/{id}/sessions", op, this::listSessions)
        .route("DELETE", "/accounts/{id}/sessions", op, 0, this::revokeAll)
        .route("DELETE", "/accounts/{id}/sessions/{session}", op, 0, this::revokeOne);
  }

  private void list(AdminCall call) {
    JsonRequest.PageQuery page;
    try {
      page = JsonRequest.page(call);
    } catch (JsonRequest.Invalid e) {
      e.answer(call);
      return;
    }
    accounts
        .list(page.after(), page.limit())
        .whenComplete(
            (Page<Account> p, @Nullable Throwable failure) -> {
              if (failure != null) {
                AdminChanges.failed(call, failure, "accounts not listed");
                return;
              }
              ObjectNode out = JSON.createObjectNode();
              ArrayNode arr = out.putArray("accounts");
              p.items().forEach(a -> arr.add(view(a)));
              out.put("next", p.next());
              call.json(200, out.toString());
            });
  }

  private void show(AdminCall call) {
    resolve(call)
        .thenCompose(
            a ->
                organisations
                    .membershipsOf(a.id(), StoredFieldLimits.PAGE)
                    .thenApply(
                        ms -> {
                          ObjectNode out = view(a);
                          ArrayNode arr = out.putArray("memberships");
                          for (Membership m : ms) {
                            arr.addObject()
                                .put("organisation", m.organisationId())
                                .put("role", m.role());
                          }
                          return out;
                        }))
        .whenComplete(
            (out, failure) -> {
              if (failure != null) {
                AdminChanges.failed(call, failure, "account not read");
              } else {
                call.json(200, out.toString());
              }
            });
  }

  private void create(AdminCall call) {
    ObjectNode n;
    LoginName login;
    String loginAsGiven;
    String email;
    String displayName;
    String password;
    try {
      n = JsonRequest.object(call, CREATE_FIELDS);
      loginAsGiven = JsonRequest.required(n, "login", LoginName.MAX_RAW_CHARS).strip();
      LoginName.Parsed parsed = LoginName.parse(loginAsGiven);
      if (parsed.name() == null) {
        throw new JsonRequest.Invalid(400, "login", String.valueOf(parsed.problem()));
      }
      login = parsed.name();
      email = JsonRequest.text(n, "email", MAX_EMAIL);
      if (email != null && !EMAIL.matcher(email).matches()) {
        throw new JsonRequest.Invalid(400, "email", "expected an address such as ada@example.com");
      }
      displayName = JsonRequest.text(n, "displayName", MAX_DISPLAY_NAME);
      if (displayName == null || displayName.isBlank()) {
        displayName = loginAsGiven;
      }
      password = passwordField(n);
    } catch (JsonRequest.Invalid e) {
      e.answer(call);
      return;
    }
    String display = displayName;
    String mail = email;
    String loginValue = login.value();
    String skeleton = login.skeleton();
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
                            loginAsGiven, loginValue, mail, false, display, hash.orElse(null)))
                    .thenApply(
                        made ->
                            made.orElseThrow(() -> new JsonRequest.Invalid(409, "login", "taken"))))
        .thenCompose(
            account -> {
              if (password != null) {
                return CompletableFuture.completedFuture(new Created(account, null));
              }
              String token = Invitation.mint();
              Instant expires = clock.instant().plus(Invitation.VALIDITY);
              return accounts
                  .issueToken(
                      OneTimePurpose.INVITATION,
                      account.id(),
                      Invitation.hash(token),
                      expires,
                      Invitation.PER_ACCOUNT)
                  .handle(
                      (ok, lost) -> {
                        if (lost != null) {
                          // The account exists: say so, and how to get an invitation for it.
                          security.publish(
                              SecurityEvent.accountChanged(
                                      SecurityEventKind.ACCOUNT_CREATED,
                                      call.requestId(),
                                      call.peerAddress(),
                                      BY,
                                      account.id(),
                                      "invitation")
                                  .withOrigin(AdminChanges.origin(call)));
                          throw new JsonRequest.Invalid(
                              503,
                              "",
                              "account "
                                  + account.id()
                                  + " created, but its invitation was not stored; POST /accounts/"
                                  + account.id()
                                  + "/invitation makes one");
                        }
                        return new Created(account, invitation(token, expires));
                      })
                  .thenCompose(this::mailed);
            })
        .whenComplete(
            (created, failure) -> {
              if (failure != null) {
                AdminChanges.failed(call, failure, "account not created");
                return;
              }
              ObjectNode out = JSON.createObjectNode();
              out.set("account", view(created.account()));
              if (created.invitation() != null) {
                out.set("invitation", created.invitation());
              }
              AdminChanges.acknowledge(
                  call,
                  security,
                  SecurityEvent.accountChanged(
                      SecurityEventKind.ACCOUNT_CREATED,
                      call.requestId(),
                      call.peerAddress(),
                      BY,
                      created.account().id(),
                      password == null ? "invitation" : "password"),
                  201,
                  out.toString(),
                  "account " + created.account().id() + " created");
            });
  }

  /** An account just made, and its invitation when it has no password. */
  private record Created(Account account, @Nullable ObjectNode invitation) {}

  /**
   * Mails a new invitation when mail is configured, and says in it whether it went ({@code
   * "mailed"}: queued for the account's address); the token is printed either way.
   */
  private CompletionStage<Created> mailed(Created c) {
    ObjectNode i = c.invitation();
    if (i == null) {
      return CompletableFuture.completedFuture(c);
    }
    if (mail == null) {
      i.put("mailed", false);
      return CompletableFuture.completedFuture(c);
    }
    return mail.sendInvitation(c.account(), i.path("token").asText(), Invitation.VALIDITY)
        .thenApply(
            outcome -> {
              i.put("mailed", outcome == AccountMail.Outcome.QUEUED);
              return c;
            });
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

  private static ObjectNode invitation(String token, Instant expires) {
    ObjectNode i = JSON.createObjectNode();
    i.put("token", token);
    i.put("expires", expires.toString());
    return i;
  }

  private void invite(AdminCall call) {
    resolve(call)
        .thenCompose(
            a -> {
              if (a.passwordHash() != null) {
                throw new JsonRequest.Invalid(
                    409, "", "the account has a password (a password reset replaces it)");
              }
              String token = Invitation.mint();
              Instant expires = clock.instant().plus(Invitation.VALIDITY);
              return accounts
                  .issueToken(
                      OneTimePurpose.INVITATION,
                      a.id(),
                      Invitation.hash(token),
                      expires,
                      Invitation.PER_ACCOUNT)
                  .thenApply(ok -> new Created(a, invitation(token, expires)))
                  .thenCompose(this::mailed);
            })
        .whenComplete(
            (c, failure) -> {
              if (failure != null) {
                AdminChanges.failed(call, failure, "invitation not made");
                return;
              }
              ObjectNode out = JSON.createObjectNode();
              out.put("account", c.account().id());
              out.set("invitation", c.invitation());
              AdminChanges.acknowledge(
                  call,
                  security,
                  SecurityEvent.accountChanged(
                      SecurityEventKind.ACCOUNT_CREATED,
                      call.requestId(),
                      call.peerAddress(),
                      BY,
                      c.account().id(),
                      "invitation"),
                  201,
                  out.toString(),
                  "invitation made");
            });
  }

  private void setStatus(AdminCall call, boolean enable) {
    AccountStatus wanted = enable ? AccountStatus.ACTIVE : AccountStatus.DISABLED;
    resolve(call)
        .thenCompose(
            a ->
                a.status() == wanted
                    ? CompletableFuture.completedFuture(a)
                    : accounts
                        .update(a.withStatus(wanted))
                        .thenApply(
                            written ->
                                written.orElseThrow(
                                    () ->
                                        new JsonRequest.Invalid(
                                            409, "", "the account changed meanwhile; retry"))))
        .thenCompose(
            a ->
                enable
                    ? CompletableFuture.completedFuture(new Revoked(a, 0))
                    : sessions.revokeAll(a.id(), origin(call)).thenApply(n -> new Revoked(a, n)))
        .whenComplete(
            (r, failure) -> {
              if (failure != null) {
                AdminChanges.failed(
                    call,
                    failure,
                    enable
                        ? "account not enabled"
                        : "account not disabled, or sessions not revoked");
                return;
              }
              ObjectNode out = JSON.createObjectNode();
              out.set("account", view(r.account()));
              if (!enable) {
                out.put("sessionsRevoked", r.count());
                security.publish(
                    SecurityEvent.sessionsRevoked(
                            call.requestId(),
                            call.peerAddress(),
                            r.account().id(),
                            "*",
                            r.count(),
                            BY)
                        .withOrigin(AdminChanges.origin(call)));
              }
              AdminChanges.acknowledge(
                  call,
                  security,
                  SecurityEvent.accountChanged(
                      enable
                          ? SecurityEventKind.ACCOUNT_ENABLED
                          : SecurityEventKind.ACCOUNT_DISABLED,
                      call.requestId(),
                      call.peerAddress(),
                      BY,
                      r.account().id(),
                      "-"),
                  200,
                  out.toString(),
                  enable ? "account enabled" : "account disabled");
            });
  }

  /** An account and how many of its sessions a change revoked. */
  private record Revoked(Account account, int count) {}

  private void delete(AdminCall call) {
    resolve(call)
        .thenCompose(
            a -> sessions.revokeAll(a.id(), origin(call)).thenApply(n -> new Revoked(a, n)))
        .thenCompose(
            r ->
                accounts
                    .delete(r.account().id())
                    .thenApply(
                        gone -> {
                          if (!gone) {
                            throw new JsonRequest.Invalid(404, "", "no such account");
                          }
                          return r;
                        }))
        .whenComplete(
            (r, failure) -> {
              if (failure != null) {
                AdminChanges.failed(call, failure, "account not deleted");
                return;
              }
              ObjectNode out = JSON.createObjectNode();
              out.put("id", r.account().id());
              out.put("deleted", true);
              out.put("sessionsRevoked", r.count());
              AdminChanges.acknowledge(
                  call,
                  security,
                  SecurityEvent.accountChanged(
                      SecurityEventKind.ACCOUNT_DELETED,
                      call.requestId(),
                      call.peerAddress(),
                      BY,
                      r.account().id(),
                      "-"),
                  200,
                  out.toString(),
                  "account deleted");
            });
  }

  private void removeSecondFactor(AdminCall call) {
    resolve(call)
        .thenCompose(
            a ->
                accounts
                    .removeTotp(a.id())
                    .thenCompose(
                        totp ->
                            accounts
                                .replaceRecoveryCodes(a.id(), List.of())
                                .thenApply(x -> new Revoked(a, totp ? 1 : 0))))
        .whenComplete(
            (r, failure) -> {
              if (failure != null) {
                AdminChanges.failed(call, failure, "second factor not removed");
                return;
              }
              ObjectNode out = JSON.createObjectNode();
              out.put("account", r.account().id());
              out.put("removed", r.count() > 0);
              AdminChanges.acknowledge(
                  call,
                  security,
                  SecurityEvent.accountChanged(
                      SecurityEventKind.SECOND_FACTOR_REMOVED,
                      call.requestId(),
                      call.peerAddress(),
                      BY,
                      r.account().id(),
                      "-"),
                  200,
                  out.toString(),
                  "second factor removed");
            });
  }

  private void listSessions(AdminCall call) {
    resolve(call)
        .thenCompose(a -> sessions.sessions(a.id()))
        .whenComplete(
            (list, failure) -> {
              if (failure != null) {
                AdminChanges.failed(call, failure, "sessions not listed");
                return;
              }
              ObjectNode out = JSON.createObjectNode();
              ArrayNode arr = out.putArray("sessions");
              for (SessionInfo s : list) {
                ObjectNode o = arr.addObject();
                o.put("id", s.sessionId());
                o.put("created", s.created().toString());
                o.put("lastUsed", s.lastUsed().toString());
                o.put("expires", s.expires().toString());
                ArrayNode amr = o.putArray("amr");
                s.amr().forEach(amr::add);
                o.put("clientAddress", s.clientAddress());
                o.put("userAgent", s.userAgent());
              }
              call.json(200, out.toString());
            });
  }

  private void revokeAll(AdminCall call) {
    resolve(call)
        .thenCompose(
            a -> sessions.revokeAll(a.id(), origin(call)).thenApply(n -> new Revoked(a, n)))
        .whenComplete(
            (r, failure) -> {
              if (failure != null) {
                AdminChanges.failed(call, failure, "sessions not revoked");
                return;
              }
              ObjectNode out = JSON.createObjectNode();
              out.put("account", r.account().id());
              out.put("revoked", r.count());
              AdminChanges.acknowledge(
                  call,
                  security,
                  SecurityEvent.sessionsRevoked(
                      call.requestId(), call.peerAddress(), r.account().id(), "*", r.count(), BY),
                  200,
                  out.toString(),
                  "sessions revoked");
            });
  }

  private void revokeOne(AdminCall call) {
    String session = decoded(call.param("session"));
    resolve(call)
        .thenCompose(
            a ->
                sessions
                    .sessions(a.id())
                    .thenCompose(
                        live -> {
                          if (session == null
                              || live.stream().noneMatch(s -> s.sessionId().equals(session))) {
                            throw new JsonRequest.Invalid(
                                404, "", "no live session of this id for this account");
                          }
                          return sessions.revoke(session, origin(call));
                        })
                    .thenApply(x -> a))
        .whenComplete(
            (a, failure) -> {
              if (failure != null) {
                AdminChanges.failed(call, failure, "session not revoked");
                return;
              }
              ObjectNode out = JSON.createObjectNode();
              out.put("account", a.id());
              out.put("session", session);
              out.put("revoked", true);
              AdminChanges.acknowledge(
                  call,
                  security,
                  SecurityEvent.sessionsRevoked(
                      call.requestId(), call.peerAddress(), a.id(), String.valueOf(session), 1, BY),
                  200,
                  out.toString(),
                  "session revoked");
            });
  }

  /**
   * Completes with the account a path names by id, else by login name; fails with {@code 404} when
   * there is none.
   */
  private CompletionStage<Account> resolve(AdminCall call) {
    return resolve(accounts, call.param("id"));
  }

  /** Completes with the account that a raw path segment names by id or login name, else 404. */
  static CompletionStage<Account> resolve(AccountStore accounts, String segment) {
    String key = decoded(segment);
    if (key == null || key.length() > LoginName.MAX_RAW_CHARS) {
      return CompletableFuture.failedFuture(
          new JsonRequest.Invalid(400, "id", "expected an account id or login name"));
    }
    return accounts
        .byId(key)
        .thenCompose(
            byId -> {
              if (byId.isPresent()) {
                return CompletableFuture.completedFuture(byId);
              }
              LoginName.Parsed p = LoginName.parse(key);
              LoginName name = p.name();
              return name == null
                  ? CompletableFuture.completedFuture(Optional.<Account>empty())
                  : accounts.byLogin(name.value());
            })
        .thenApply(a -> a.orElseThrow(() -> new JsonRequest.Invalid(404, "", "no such account")));
  }

  private static Origin origin(AdminCall call) {
    String ua = call.header("user-agent");
    return new Origin(call.requestId(), call.peerAddress(), ua == null ? "-" : ua);
  }

  /** Decodes a path segment; null when malformed or holding a control character. */
  static @Nullable String decoded(String raw) {
    try {
      String s = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
      return s.isEmpty() || JsonRequest.hasControl(s) ? null : s;
    } catch (IllegalArgumentException malformed) {
      return null;
    }
  }

  /** Returns what the API shows of an account (never its password hash or second factor). */
  static ObjectNode view(Account a) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", a.id());
    n.put("login", a.loginName());
    n.put("email", a.email());
    n.put("emailVerified", a.emailVerified());
    n.put("displayName", a.displayName());
    n.put("status", a.status().name().toLowerCase(Locale.ROOT));
    n.put("created", a.created().toString());
    n.put("updated", a.updated().toString());
    n.put("password", a.passwordHash() != null);
    n.put("secondFactor", a.totpEnrolled());
    return n;
  }
}
