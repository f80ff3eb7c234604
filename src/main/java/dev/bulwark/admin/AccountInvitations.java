package dev.bulwark.admin;

import static dev.bulwark.admin.JsonRequest.JSON;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.identity.Invitation;
import dev.bulwark.identity.mail.AccountMail;
import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStore;
import dev.bulwark.store.OneTimePurpose;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Invitations to accounts without a password ({@code POST /accounts/{id}/invitation}, and those
 * made with a new account): a single-use token stored hashed, printed in the answer, and mailed to
 * the account's address when {@code identity.mail} is set.
 */
final class AccountInvitations {
  private final AccountStore accounts;
  private final SecurityEvents security;
  private final Clock clock;
  private final @Nullable AccountMail mail;

  AccountInvitations(
      AccountStore accounts, SecurityEvents security, Clock clock, @Nullable AccountMail mail) {
    this.accounts = requireNonNull(accounts, "accounts");
    this.security = requireNonNull(security, "security");
    this.clock = requireNonNull(clock, "clock");
    this.mail = mail;
  }

  /**
   * Mints an invitation for {@code account} and stores it hashed; completes with the invitation as
   * the API shows it ({@code token}, {@code expires}).
   */
  CompletionStage<ObjectNode> issue(Account account) {
    String token = Invitation.mint();
    Instant expires = clock.instant().plus(Invitation.VALIDITY);
    return accounts
        .issueToken(
            OneTimePurpose.INVITATION,
            account.id(),
            Invitation.hash(token),
            expires,
            Invitation.PER_ACCOUNT)
        .thenApply(
            ok -> {
              ObjectNode i = JSON.createObjectNode();
              i.put("token", token);
              i.put("expires", expires.toString());
              return i;
            });
  }

  /**
   * Mails an invitation when mail is configured, and says in it whether it went ({@code "mailed"}:
   * queued for the account's address); the token is printed either way.
   */
  CompletionStage<ObjectNode> mailed(Account account, ObjectNode invitation) {
    if (mail == null) {
      invitation.put("mailed", false);
      return CompletableFuture.completedFuture(invitation);
    }
    return mail.sendInvitation(account, invitation.path("token").asText(), Invitation.VALIDITY)
        .thenApply(
            outcome -> {
              invitation.put("mailed", outcome == AccountMail.Outcome.QUEUED);
              return invitation;
            });
  }

  /** An account and the invitation just made for it. */
  private record Invited(Account account, ObjectNode invitation) {}

  void invite(AdminCall call) {
    AccountLookup.resolve(accounts, call.param("id"))
        .thenCompose(
            a -> {
              if (a.passwordHash() != null) {
                throw new JsonRequest.Invalid(
                    409, "", "the account has a password (a password reset replaces it)");
              }
              return issue(a).thenCompose(i -> mailed(a, i)).thenApply(i -> new Invited(a, i));
            })
        .whenComplete(
            AdminAnswers.audited(
                call,
                security,
                "invitation not made",
                c -> {
                  ObjectNode out = JSON.createObjectNode();
                  out.put("account", c.account().id());
                  out.set("invitation", c.invitation());
                  return new AdminAnswers.Change(
                      AccountsApi.accountChanged(
                          call, SecurityEventKind.ACCOUNT_CREATED, c.account().id(), "invitation"),
                      201,
                      out,
                      "invitation made");
                }));
  }
}
