package dev.bulwark.identity.mail;

import static java.util.Objects.requireNonNull;

import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStatus;
import dev.bulwark.store.AccountStore;
import dev.bulwark.store.OneTimePurpose;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Mails an account a link with a fresh single-use token: a password reset, an email verification,
 * or an invitation to choose the first password. What other code (the accounts admin API, the reset
 * endpoint) calls; the links start with {@code identity.mail.link-base}: {@code
 * {link-base}/reset#token=...}, {@code /verify#token=...}, {@code /invite#token=...}. The page at
 * those addresses posts the token to the reset endpoint ({@code POST /auth/reset/confirm} for a
 * reset and an invitation, {@code POST /auth/reset/verify} for a verification). Sending happens in
 * the background: each method completes once the token is stored and the mail queued, never waiting
 * for the mail server.
 */
public final class AccountMail {
  /** What became of a mail. */
  public enum Outcome {
    /** The token is stored and the mail queued. */
    QUEUED,
    /** The account has no email address (or, for a reset, may not log in): nothing was sent. */
    NO_ADDRESS,
    /** The account is gone: nothing was sent. */
    NO_ACCOUNT,
    /** The mail queue was full: the token is stored, the mail dropped (counted and logged). */
    DROPPED
  }

  private final Mailer mailer;
  private final OneTimeTokens tokens;
  private final ResetSettings reset;

  /**
   * Mails through {@code mailer}, tokens kept in {@code accounts}, expiry judged by {@code clock}.
   */
  public AccountMail(Mailer mailer, AccountStore accounts, ResetSettings reset, Clock clock) {
    this.mailer = requireNonNull(mailer, "mailer");
    this.tokens = new OneTimeTokens(accounts, clock);
    this.reset = requireNonNull(reset, "reset");
  }

  /** Returns the tokens, for the endpoint that redeems them. */
  public OneTimeTokens tokens() {
    return tokens;
  }

  /** Returns the mailer. */
  public Mailer mailer() {
    return mailer;
  }

  /**
   * Mails {@code account} a password-reset link valid for {@code identity.reset.ttl}; an account
   * that is disabled or has no address gets nothing.
   */
  public CompletionStage<Outcome> sendReset(Account account) {
    return send(account, OneTimePurpose.PASSWORD_RESET, "reset", reset.ttl());
  }

  /**
   * Mails {@code account}'s address a verification link valid for {@code identity.reset.verify-ttl}
   * (for a new or changed address); following it marks the address verified.
   */
  public CompletionStage<Outcome> sendVerification(Account account) {
    return send(account, OneTimePurpose.EMAIL_VERIFICATION, "verify", reset.verifyTtl());
  }

  /**
   * Mails {@code account} an invitation to choose its password, valid for {@code
   * identity.reset.invite-ttl}: a reset token under another text (an account created without a
   * password by an administrator). Choosing the password also verifies the address.
   */
  public CompletionStage<Outcome> sendInvite(Account account) {
    return send(account, OneTimePurpose.PASSWORD_RESET, "invite", reset.inviteTtl());
  }

  /**
   * Mails {@code account} the invitation token the accounts admin API made ({@link
   * dev.bulwark.identity.Invitation}, stored hashed under {@link OneTimePurpose#INVITATION}), in a
   * link {@code {link-base}/invite#token=...} whose page posts it with the chosen password to the
   * login API's {@code POST invitation}. An account that is disabled or has no address gets
   * nothing. Completes at once: the mail is queued, never awaited.
   */
  public CompletionStage<Outcome> sendInvitation(Account account, String token, Duration ttl) {
    requireNonNull(account, "account");
    requireNonNull(token, "token");
    mailer.bind();
    String to = account.email();
    if (to == null || to.isBlank() || account.status() != AccountStatus.ACTIVE) {
      return CompletableFuture.completedFuture(Outcome.NO_ADDRESS);
    }
    String link = mailer.settings().linkBase() + "/invite#token=" + token;
    OutgoingMail mail =
        new OutgoingMail(
            to,
            MailTexts.INVITE_SUBJECT,
            MailTexts.invite(account.loginName(), link, ttl),
            "invite");
    return CompletableFuture.completedFuture(mailer.send(mail) ? Outcome.QUEUED : Outcome.DROPPED);
  }

  private CompletionStage<Outcome> send(
      Account account, OneTimePurpose purpose, String kind, Duration ttl) {
    requireNonNull(account, "account");
    mailer.bind();
    String to = account.email();
    if (to == null || to.isBlank() || account.status() != AccountStatus.ACTIVE) {
      return CompletableFuture.completedFuture(Outcome.NO_ADDRESS);
    }
    return tokens
        .issue(purpose, account, ttl)
        .thenApply(
            token -> {
              if (token.isEmpty()) {
                return Outcome.NO_ACCOUNT;
              }
              String link = mailer.settings().linkBase() + "/" + kind + "#token=" + token.get();
              String login = account.loginName();
              OutgoingMail mail =
                  switch (kind) {
                    case "reset" ->
                        new OutgoingMail(
                            to, MailTexts.RESET_SUBJECT, MailTexts.reset(login, link, ttl), kind);
                    case "verify" ->
                        new OutgoingMail(
                            to, MailTexts.VERIFY_SUBJECT, MailTexts.verify(login, link, ttl), kind);
                    default ->
                        new OutgoingMail(
                            to, MailTexts.INVITE_SUBJECT, MailTexts.invite(login, link, ttl), kind);
                  };
              return mailer.send(mail) ? Outcome.QUEUED : Outcome.DROPPED;
            });
  }
}
