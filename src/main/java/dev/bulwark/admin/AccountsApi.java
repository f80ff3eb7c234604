package dev.bulwark.admin;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.identity.mail.AccountMail;
import dev.bulwark.identity.password.PasswordHasher;
import dev.bulwark.identity.password.PasswordPolicy;
import dev.bulwark.store.AccountStore;
import dev.bulwark.store.OrganisationStore;
import java.time.Clock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The account API of the admin listener (operators only): create an account with a password or an
 * invitation, list, show, disable (every session revoked), enable, delete (personal data erased,
 * sessions revoked), remove the second factor, list and revoke sessions. An account is named in a
 * path by its id, or by its login name. Every change is answered only once its security event is
 * stored by the audit trail (when there is one); see {@code docs/users-and-organisations.md}.
 */
public final class AccountsApi {
  /** Who the security events of these changes name as their actor. */
  private static final String BY = "admin";

  private final AccountLifecycle lifecycle;
  private final AccountCreation creation;
  private final AccountInvitations invitations;
  private final AccountSignIn signIn;

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
    this.lifecycle = new AccountLifecycle(accounts, organisations, sessions, security);
    this.invitations = new AccountInvitations(accounts, security, clock, mail);
    this.creation = new AccountCreation(accounts, invitations, security, blocking, policy, hasher);
    this.signIn = new AccountSignIn(accounts, sessions, security);
  }

  /** Adds the account routes, for operators only. */
  public AdminRouter.Builder register(AdminRouter.Builder router) {
    AdminAccess op = AdminAccess.OPERATOR;
    return router
        .get("/accounts", op, lifecycle::list)
        .route("POST", "/accounts", op, AccountCreation.MAX_BODY, creation::create)
        .get("/accounts/{id}", op, lifecycle::show)
        .route("DELETE", "/accounts/{id}", op, 0, lifecycle::delete)
        .route("POST", "/accounts/{id}/disable", op, 0, call -> lifecycle.setStatus(call, false))
        .route("POST", "/accounts/{id}/enable", op, 0, call -> lifecycle.setStatus(call, true))
        .route("POST", "/accounts/{id}/invitation", op, 0, invitations::invite)
        .route("DELETE", "/accounts/{id}/second-factor", op, 0, signIn::removeSecondFactor)
        .get("/accounts/{id}/sessions", op, signIn::listSessions)
        .route("DELETE", "/accounts/{id}/sessions", op, 0, signIn::revokeAll)
        .route("DELETE", "/accounts/{id}/sessions/{session}", op, 0, signIn::revokeOne);
  }

  /** Returns the event of an operator's change to an account, with what it concerned. */
  static SecurityEvent accountChanged(
      AdminCall call, SecurityEventKind kind, String account, String detail) {
    return SecurityEvent.accountChanged(
        kind, call.requestId(), call.peerAddress(), BY, account, detail);
  }

  /** Returns the event of an operator revoking sessions of an account ({@code *}: all of them). */
  static SecurityEvent sessionsRevoked(AdminCall call, String account, String session, int count) {
    return SecurityEvent.sessionsRevoked(
        call.requestId(), call.peerAddress(), account, session, count, BY);
  }
}
