package dev.bulwark.admin;

import static dev.bulwark.admin.JsonRequest.JSON;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.identity.tokens.SessionInfo;
import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What lets an account sign in, as operators manage it: remove its second factor (with its recovery
 * codes), list its live sessions, revoke them all or one.
 */
final class AccountSignIn {
  private final AccountStore accounts;
  private final AccountSessions sessions;
  private final SecurityEvents security;

  AccountSignIn(AccountStore accounts, AccountSessions sessions, SecurityEvents security) {
    this.accounts = requireNonNull(accounts, "accounts");
    this.sessions = requireNonNull(sessions, "sessions");
    this.security = requireNonNull(security, "security");
  }

  /** An account and how many second factors or sessions a change ended. */
  private record Ended(Account account, int count) {}

  /** An account whose second factor was removed (or was not there), and the sessions that ended. */
  private record Removed(Account account, boolean removed, int sessions) {}

  /**
   * Removes the second factor and the recovery codes, and, when there was one, ends every session
   * of the account: a session keeps the {@code amr} it signed in with, so it would otherwise go on
   * satisfying {@code mfa} routes with a factor the account no longer has.
   */
  void removeSecondFactor(AdminCall call) {
    AccountLookup.resolve(accounts, call.param("id"))
        .thenCompose(
            a ->
                accounts
                    .removeTotp(a.id())
                    .thenCompose(
                        totp ->
                            accounts
                                .replaceRecoveryCodes(a.id(), List.of())
                                .thenCompose(
                                    x ->
                                        totp
                                            ? sessions.revokeAll(
                                                a.id(), AccountLookup.sessionOrigin(call))
                                            : CompletableFuture.completedFuture(0))
                                .thenApply(n -> new Removed(a, totp, n))))
        .whenComplete(
            AdminAnswers.audited(
                call,
                security,
                "second factor not removed, or its sessions not ended",
                r -> {
                  if (r.sessions() > 0) {
                    security.publish(
                        AccountsApi.sessionsRevoked(call, r.account().id(), "*", r.sessions()));
                  }
                  ObjectNode out = JSON.createObjectNode();
                  out.put("account", r.account().id());
                  out.put("removed", r.removed());
                  out.put("sessionsRevoked", r.sessions());
                  return new AdminAnswers.Change(
                      AccountsApi.accountChanged(
                          call, SecurityEventKind.SECOND_FACTOR_REMOVED, r.account().id(), "-"),
                      200,
                      out,
                      "second factor removed");
                }));
  }

  void listSessions(AdminCall call) {
    AccountLookup.resolve(accounts, call.param("id"))
        .thenCompose(a -> sessions.sessions(a.id()))
        .whenComplete(
            AdminAnswers.json(
                call,
                "sessions not listed",
                list -> {
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
                  return out;
                }));
  }

  void revokeAll(AdminCall call) {
    AccountLookup.resolve(accounts, call.param("id"))
        .thenCompose(
            a ->
                sessions
                    .revokeAll(a.id(), AccountLookup.sessionOrigin(call))
                    .thenApply(n -> new Ended(a, n)))
        .whenComplete(
            AdminAnswers.audited(
                call,
                security,
                "sessions not revoked",
                r -> {
                  ObjectNode out = JSON.createObjectNode();
                  out.put("account", r.account().id());
                  out.put("revoked", r.count());
                  return new AdminAnswers.Change(
                      AccountsApi.sessionsRevoked(call, r.account().id(), "*", r.count()),
                      200,
                      out,
                      "sessions revoked");
                }));
  }

  void revokeOne(AdminCall call) {
    String session = AccountLookup.decoded(call.param("session"));
    AccountLookup.resolve(accounts, call.param("id"))
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
                          return sessions.revoke(session, AccountLookup.sessionOrigin(call));
                        })
                    .thenApply(x -> a))
        .whenComplete(
            AdminAnswers.audited(
                call,
                security,
                "session not revoked",
                a -> {
                  ObjectNode out = JSON.createObjectNode();
                  out.put("account", a.id());
                  out.put("session", session);
                  out.put("revoked", true);
                  return new AdminAnswers.Change(
                      AccountsApi.sessionsRevoked(call, a.id(), String.valueOf(session), 1),
                      200,
                      out,
                      "session revoked");
                }));
  }
}
