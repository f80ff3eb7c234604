package dev.bulwark.identity.mail;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.identity.password.Argon2Cost;
import dev.bulwark.identity.password.PasswordHasher;
import dev.bulwark.identity.password.PasswordPolicy;
import dev.bulwark.identity.password.PasswordSettings;
import dev.bulwark.identity.tokens.AccountClaims;
import dev.bulwark.identity.tokens.MutableClock;
import dev.bulwark.identity.tokens.Origin;
import dev.bulwark.identity.tokens.RefreshOutcome;
import dev.bulwark.identity.tokens.TokenGrant;
import dev.bulwark.identity.tokens.TokenService;
import dev.bulwark.identity.tokens.TokenSubject;
import dev.bulwark.identity.tokens.TokensConfig;
import dev.bulwark.store.Account;
import dev.bulwark.store.NewAccount;
import dev.bulwark.store.OneTimePurpose;
import dev.bulwark.store.Stores;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The reset service over the embedded store, a real (plain, loopback) SMTP server and a clock the
 * test moves: tokens are single-use, expire, cannot be guessed, die with a password change, and a
 * reset ends every session; a flood of requests for one login sends a bounded number of mails.
 */
class PasswordResetTest {
  private static final Origin ORIGIN = new Origin("req-1", "192.0.2.7", "test");
  private static final String OLD = "an old passphrase of quite some length";
  private static final String NEW = "violet tractor hums beside the frozen canal";
  private static final Pattern LINK =
      Pattern.compile(
          "https://app\\.example\\.com/account/(reset|verify|invite)#token=([A-Za-z0-9._-]+)");

  private final MutableClock clock = new MutableClock();
  private final Stores stores = Stores.embedded();
  private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
  private final SecurityEvents security = SecurityEvents.of(events::add);
  private final PasswordHasher hasher = new PasswordHasher(new Argon2Cost(1024, 1, 1));
  private final BlockingExecutor blocking = new BlockingExecutor(2, 64, new SimpleMeterRegistry());
  private final GreenMail smtp = startSmtp();
  private final Vertx vertx = Vertx.vertx();
  private final TokenService sessions =
      TokenService.create(
          new TokensConfig(
              true,
              "https://auth.example.com",
              "api",
              Duration.ofMinutes(5),
              Duration.ofDays(30),
              Duration.ofDays(7),
              Duration.ZERO,
              TokensConfig.Algorithm.ES256,
              Duration.ofDays(30),
              50),
          stores,
          security,
          clock);
  private final Mailer mailer =
      new Mailer(
          new MailSettings(
              "127.0.0.1",
              smtp.getSmtp().getPort(),
              MailSettings.Tls.NONE,
              null,
              null,
              null,
              "no-reply@example.com",
              URI.create("https://app.example.com/account"),
              Duration.ofSeconds(5),
              100),
          security,
          new SimpleMeterRegistry());
  private final AccountMail mail =
      new AccountMail(mailer, stores.accounts(), ResetSettings.DEFAULTS, clock);
  private final PasswordReset reset =
      new PasswordReset(
          ResetSettings.DEFAULTS,
          stores.accounts(),
          stores.bans(),
          mail,
          PasswordPolicy.of(PasswordSettings.DEFAULTS),
          hasher,
          blocking,
          sessions,
          security);

  PasswordResetTest() {
    mailer.bind(vertx);
  }

  private static GreenMail startSmtp() {
    GreenMail g = new GreenMail(new ServerSetup(0, "127.0.0.1", "smtp"));
    g.start();
    return g;
  }

  @AfterEach
  void stop() {
    smtp.stop();
    vertx.close().await();
    blocking.close();
    stores.close();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private Account alice() throws Exception {
    return await(
            stores
                .accounts()
                .create(
                    new NewAccount(
                        "alice", "alice", "alice@example.com", false, "Alice", hasher.hash(OLD))))
        .orElseThrow();
  }

  private Account reread(Account a) throws Exception {
    return await(stores.accounts().byId(a.id())).orElseThrow();
  }

  private String token(Account a) throws Exception {
    return await(mail.tokens().issue(OneTimePurpose.PASSWORD_RESET, a, Duration.ofMinutes(15)))
        .orElseThrow();
  }

  private PasswordReset.Confirmation confirm(String token, String password) throws Exception {
    return await(reset.confirm(token, password, ORIGIN, "reset"));
  }

  @Test
  void theMailedLinkSetsThePasswordOnceAndItsReuseIsRefused() throws Exception {
    Account a = alice();
    await(reset.requested("Alice", ORIGIN, "reset"));

    assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
    MimeMessage m = smtp.getReceivedMessages()[0];
    assertThat(m.getSubject()).isEqualTo("Reset your password");
    String text = m.getContent().toString();
    assertThat(text).contains("alice").contains("15 minutes").doesNotContain("Alice");
    Matcher link = LINK.matcher(text);
    assertThat(link.find()).isTrue();
    assertThat(link.group(1)).isEqualTo("reset");
    String token = link.group(2);

    assertThat(confirm(token, NEW)).isInstanceOf(PasswordReset.Confirmation.Done.class);
    Account after = reread(a);
    assertThat(hasher.verify(after.passwordHash(), NEW).matches()).isTrue();
    assertThat(hasher.verify(after.passwordHash(), OLD).matches()).isFalse();
    assertThat(after.emailVerified()).isTrue(); // the token came through the address

    assertThat(confirm(token, "another " + NEW))
        .isInstanceOf(PasswordReset.Confirmation.InvalidToken.class);
    assertThat(events)
        .extracting(SecurityEvent::kind)
        .contains(
            SecurityEventKind.PASSWORD_RESET_REQUESTED, SecurityEventKind.PASSWORD_RESET_COMPLETED);
  }

  @Test
  void anExpiredTokenIsRefused() throws Exception {
    Account a = alice();
    String token = token(a);
    clock.advance(Duration.ofMinutes(15).plusSeconds(1));

    assertThat(confirm(token, NEW)).isInstanceOf(PasswordReset.Confirmation.InvalidToken.class);
    assertThat(hasher.verify(reread(a).passwordHash(), OLD).matches()).isTrue();
  }

  @Test
  void guessedAndMalformedTokensAreRefused() throws Exception {
    Account a = alice();
    token(a);
    byte[] random = new byte[32];
    new java.security.SecureRandom().nextBytes(random);
    String guessed = a.id() + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    for (String t :
        List.of(
            guessed,
            "x." + guessed.substring(guessed.indexOf('.') + 1),
            a.id(),
            "",
            "\u0000",
            a.id() + "." + "A".repeat(500))) {
      assertThat(confirm(t, NEW)).as(t).isInstanceOf(PasswordReset.Confirmation.InvalidToken.class);
    }
    assertThat(hasher.verify(reread(a).passwordHash(), OLD).matches()).isTrue();
  }

  @Test
  void aTokenIssuedBeforeThePasswordChangedIsRefused() throws Exception {
    Account a = alice();
    String token = token(a);
    // The password changes by another path (an administrator, a signed-in user), which revokes
    // nothing: the token was bound to the old hash.
    await(
        stores
            .accounts()
            .update(a.withPasswordHash(hasher.hash("a third passphrase, long enough"))));

    assertThat(confirm(token, NEW)).isInstanceOf(PasswordReset.Confirmation.InvalidToken.class);
  }

  @Test
  void aResetEndsEverySessionAndEveryOtherResetToken() throws Exception {
    Account a = alice();
    AccountClaims claims =
        id -> CompletableFuture.completedFuture(new TokenSubject(id, Set.of(), Set.of()));
    TokenGrant session = await(sessions.signIn(claims(a), List.of("pwd"), ORIGIN));
    String first = token(a);
    String second = token(a);

    assertThat(confirm(first, NEW)).isInstanceOf(PasswordReset.Confirmation.Done.class);

    assertThat(await(sessions.refresh(session.refreshToken(), ORIGIN, claims)))
        .isInstanceOf(RefreshOutcome.Refused.class);
    assertThat(confirm(second, "yet another " + NEW))
        .isInstanceOf(PasswordReset.Confirmation.InvalidToken.class);
    assertThat(events).extracting(SecurityEvent::kind).contains(SecurityEventKind.SESSION_REVOKED);
  }

  private static TokenSubject claims(Account a) {
    return new TokenSubject(a.id(), Set.of(), Set.of());
  }

  @Test
  void aPasswordThePolicyRefusesGetsItsReasonsAndKeepsTheTokenUsable() throws Exception {
    Account a = alice();
    String token = token(a);

    PasswordReset.Confirmation weak = confirm(token, "short");
    assertThat(weak).isInstanceOf(PasswordReset.Confirmation.Refused.class);
    assertThat(((PasswordReset.Confirmation.Refused) weak).reasons())
        .containsExactly("Use at least 12 characters.");

    PasswordReset.Confirmation likeLogin = confirm(token, "Xq7!alice#Zr92pLm");
    assertThat(likeLogin).isInstanceOf(PasswordReset.Confirmation.Refused.class);
    assertThat(((PasswordReset.Confirmation.Refused) likeLogin).reasons())
        .contains("The password cannot be your login name or close to it.");

    assertThat(confirm(token, NEW)).isInstanceOf(PasswordReset.Confirmation.Done.class);
  }

  @Test
  void refusedPasswordsNeverLengthenTheResetToken() throws Exception {
    Account a = alice();
    String token = token(a); // 15 minutes
    // each password too close to the login name uses the token up and stores it again
    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofMinutes(4));
      assertThat(confirm(token, "Xq7!alice#Zr92pLm" + i))
          .isInstanceOf(PasswordReset.Confirmation.Refused.class);
    }
    clock.advance(Duration.ofMinutes(4)); // 16 minutes after it was issued
    assertThat(confirm(token, NEW)).isInstanceOf(PasswordReset.Confirmation.InvalidToken.class);
    assertThat(hasher.verify(reread(a).passwordHash(), OLD).matches()).isTrue();
  }

  @Test
  void aVerificationTokenVerifiesTheAddressOnceAndNotAnotherAddress() throws Exception {
    Account a = alice();
    assertThat(await(mail.sendVerification(a))).isEqualTo(AccountMail.Outcome.QUEUED);
    assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
    Matcher link = LINK.matcher(smtp.getReceivedMessages()[0].getContent().toString());
    assertThat(link.find()).isTrue();
    assertThat(link.group(1)).isEqualTo("verify");
    String token = link.group(2);

    assertThat(await(reset.verifyEmail(token, ORIGIN, "reset"))).isTrue();
    assertThat(reread(a).emailVerified()).isTrue();
    assertThat(await(reset.verifyEmail(token, ORIGIN, "reset"))).isFalse();

    Account b =
        await(
                stores
                    .accounts()
                    .create(new NewAccount("bob", "bob", "bob@example.com", false, "Bob", null)))
            .orElseThrow();
    String forOld =
        await(mail.tokens().issue(OneTimePurpose.EMAIL_VERIFICATION, b, Duration.ofHours(1)))
            .orElseThrow();
    await(stores.accounts().update(b.withEmail("bob@elsewhere.example", false)));
    assertThat(await(reset.verifyEmail(forOld, ORIGIN, "reset"))).isFalse();
    assertThat(events).extracting(SecurityEvent::kind).contains(SecurityEventKind.EMAIL_VERIFIED);
  }

  @Test
  void anInvitationSetsTheFirstPassword() throws Exception {
    Account b =
        await(
                stores
                    .accounts()
                    .create(new NewAccount("bob", "bob", "bob@example.com", false, "Bob", null)))
            .orElseThrow();
    assertThat(await(mail.sendInvite(b))).isEqualTo(AccountMail.Outcome.QUEUED);
    assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
    String text = smtp.getReceivedMessages()[0].getContent().toString();
    assertThat(text).contains("7 days");
    Matcher link = LINK.matcher(text);
    assertThat(link.find()).isTrue();
    assertThat(link.group(1)).isEqualTo("invite");

    assertThat(confirm(link.group(2), NEW)).isInstanceOf(PasswordReset.Confirmation.Done.class);
    assertThat(hasher.verify(reread(b).passwordHash(), NEW).matches()).isTrue();
  }

  @Test
  void aHundredRequestsForOneLoginSendAtMostPerLoginMails() throws Exception {
    alice();
    for (int i = 0; i < 100; i++) {
      await(reset.requested("alice", new Origin("r" + i, "192.0.2." + (i % 50), "t"), "reset"));
    }
    smtp.waitForIncomingEmail(5_000, ResetSettings.DEFAULTS.perLogin());
    Thread.sleep(500); // any mail beyond the limit would have arrived by now
    assertThat(smtp.getReceivedMessages()).hasSize(ResetSettings.DEFAULTS.perLogin());
  }

  @Test
  void anUnknownLoginADisabledAccountAndOneWithoutAddressGetNoMail() throws Exception {
    Account a = alice();
    await(reset.requested("nobody", new Origin("r1", "192.0.2.1", "t"), "reset"));
    await(stores.accounts().create(new NewAccount("carol", "carol", null, false, "Carol", null)));
    await(reset.requested("carol", new Origin("r2", "192.0.2.2", "t"), "reset"));
    await(stores.accounts().update(a.withStatus(dev.bulwark.store.AccountStatus.DISABLED)));
    await(reset.requested("alice", new Origin("r3", "192.0.2.3", "t"), "reset"));
    Thread.sleep(500);
    assertThat(smtp.getReceivedMessages()).isEmpty();
    assertThat(events)
        .filteredOn(e -> e.kind() == SecurityEventKind.PASSWORD_RESET_REQUESTED)
        .extracting(SecurityEvent::reason)
        // (a run of identical events is thinned out: the two accounts without mail make one line)
        .containsExactly("no such account, nothing sent", "no address or disabled, nothing sent");
  }

  @Test
  void theAddressLimitAdmitsPerAddressRequestsAWindow() throws Exception {
    for (int i = 0; i < ResetSettings.DEFAULTS.perAddress(); i++) {
      assertThat(await(reset.admit("192.0.2.9"))).isTrue();
    }
    assertThat(await(reset.admit("192.0.2.9"))).isFalse();
    assertThat(await(reset.admit("192.0.2.10"))).isTrue();
  }
}
