package dev.bulwark.admin;

import static dev.bulwark.admin.JsonRequest.JSON;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStatus;
import dev.bulwark.store.AccountStore;
import dev.bulwark.store.Membership;
import dev.bulwark.store.OrganisationStore;
import dev.bulwark.store.Page;
import dev.bulwark.store.StoredFieldLimits;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * The life of an account after it is made: list, show (with its memberships), disable (every
 * session revoked), enable, and delete (personal data erased, sessions revoked).
 */
final class AccountLifecycle {
  private final AccountStore accounts;
  private final OrganisationStore organisations;
  private final AccountSessions sessions;
  private final SecurityEvents security;

  AccountLifecycle(
      AccountStore accounts,
      OrganisationStore organisations,
      AccountSessions sessions,
      SecurityEvents security) {
    this.accounts = requireNonNull(accounts, "accounts");
    this.organisations = requireNonNull(organisations, "organisations");
    this.sessions = requireNonNull(sessions, "sessions");
    this.security = requireNonNull(security, "security");
  }

  void list(AdminCall call) {
    JsonRequest.PageQuery page = AdminAnswers.parsed(call, () -> JsonRequest.page(call));
    if (page == null) {
      return;
    }
    accounts
        .list(page.after(), page.limit())
        .whenComplete(
            AdminAnswers.json(
                call,
                "accounts not listed",
                (Page<Account> p) -> {
                  ObjectNode out = JSON.createObjectNode();
                  ArrayNode arr = out.putArray("accounts");
                  p.items().forEach(a -> arr.add(view(a)));
                  out.put("next", p.next());
                  return out;
                }));
  }

  void show(AdminCall call) {
    AccountLookup.resolve(accounts, call.param("id"))
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
        .whenComplete(AdminAnswers.json(call, "account not read", out -> out));
  }

  /** An account and how many of its sessions a change revoked. */
  private record Revoked(Account account, int count) {}

  void setStatus(AdminCall call, boolean enable) {
    AccountStatus wanted = enable ? AccountStatus.ACTIVE : AccountStatus.DISABLED;
    AccountLookup.resolve(accounts, call.param("id"))
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
                    : sessions
                        .revokeAll(a.id(), AccountLookup.sessionOrigin(call))
                        .thenApply(n -> new Revoked(a, n)))
        .whenComplete(
            AdminAnswers.audited(
                call,
                security,
                enable ? "account not enabled" : "account not disabled, or sessions not revoked",
                r -> {
                  ObjectNode out = JSON.createObjectNode();
                  out.set("account", view(r.account()));
                  if (!enable) {
                    out.put("sessionsRevoked", r.count());
                    security.publish(
                        AccountsApi.sessionsRevoked(call, r.account().id(), "*", r.count())
                            .withOrigin(AdminAnswers.origin(call)));
                  }
                  return new AdminAnswers.Change(
                      AccountsApi.accountChanged(
                          call,
                          enable
                              ? SecurityEventKind.ACCOUNT_ENABLED
                              : SecurityEventKind.ACCOUNT_DISABLED,
                          r.account().id(),
                          "-"),
                      200,
                      out,
                      enable ? "account enabled" : "account disabled");
                }));
  }

  void delete(AdminCall call) {
    AccountLookup.resolve(accounts, call.param("id"))
        .thenCompose(
            a ->
                sessions
                    .revokeAll(a.id(), AccountLookup.sessionOrigin(call))
                    .thenApply(n -> new Revoked(a, n)))
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
            AdminAnswers.audited(
                call,
                security,
                "account not deleted",
                r -> {
                  ObjectNode out = JSON.createObjectNode();
                  out.put("id", r.account().id());
                  out.put("deleted", true);
                  out.put("sessionsRevoked", r.count());
                  return new AdminAnswers.Change(
                      AccountsApi.accountChanged(
                          call, SecurityEventKind.ACCOUNT_DELETED, r.account().id(), "-"),
                      200,
                      out,
                      "account deleted");
                }));
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
