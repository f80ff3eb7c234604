package dev.bulwark.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every backend of the account and organisation stores does (memory, SQLite, PostgreSQL for
 * real): the same answers through the same async convention, one winner wherever two writers race,
 * and hostile input refused the same way everywhere.
 */
public abstract class AccountStoreContract {
  /** The stores under test, open for one test. */
  protected Stores stores;

  /** Opens a fresh, empty backend. */
  protected abstract Stores open() throws Exception;

  /** Releases what {@link #open} started beside the stores, once they are closed. */
  protected void afterClose() throws Exception {}

  @BeforeEach
  void openStores() throws Exception {
    stores = open();
  }

  @AfterEach
  void closeStores() throws Exception {
    stores.close();
    afterClose();
  }

  /** Waits for a stage the way a test may (a request never does). */
  protected static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** Returns what a stage failed with (the test fails when it succeeded). */
  protected static Throwable failure(CompletionStage<?> stage) throws Exception {
    try {
      Object v = stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + v);
    } catch (ExecutionException e) {
      return java.util.Objects.requireNonNull(e.getCause());
    }
  }

  protected AccountStore accounts() {
    return stores.accounts();
  }

  protected OrganisationStore organisations() {
    return stores.organisations();
  }

  protected static NewAccount newAccount(String login) {
    return new NewAccount(
        login,
        login.toLowerCase(java.util.Locale.ROOT),
        login + "@example.com",
        false,
        "Name of " + login,
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA");
  }

  protected Account create(String login) throws Exception {
    return await(accounts().create(newAccount(login))).orElseThrow();
  }

  protected static String unique(String prefix) {
    return prefix + UUID.randomUUID().toString().substring(0, 8);
  }

  protected static byte[] tokenHash(String token) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
  }

  /** Runs {@code n} copies of {@code task} at once; returns their results. */
  protected static <T> List<T> race(int n, Callable<CompletionStage<T>> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<CompletionStage<T>>> started = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        started.add(
            pool.submit(
                () -> {
                  go.await();
                  return task.call();
                }));
      }
      go.countDown();
      List<T> out = new ArrayList<>();
      for (Future<CompletionStage<T>> f : started) {
        out.add(await(f.get(20, TimeUnit.SECONDS)));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aCreatedAccountIsFoundByIdAndByNormalisedLoginWithEveryField() throws Exception {
    Account a = create("Alice");
    assertThat(a.status()).isEqualTo(AccountStatus.ACTIVE);
    assertThat(a.version()).isEqualTo(1);
    assertThat(a.totpEnrolled()).isFalse();
    Account byId = await(accounts().byId(a.id())).orElseThrow();
    assertThat(byId).isEqualTo(a);
    assertThat(await(accounts().byLogin("alice"))).contains(a);
    assertThat(await(accounts().byLogin("Alice"))).isEmpty();
    assertThat(await(accounts().byId("no-such-id"))).isEmpty();
    assertThat(a.toString()).doesNotContain("Alice").doesNotContain("example.com");
  }

  @Test
  void aTakenNormalisedLoginIsRefusedWhateverItsSpelling() throws Exception {
    create("Bob");
    assertThat(await(accounts().create(newAccount("BOB")))).isEmpty();
  }

  @Test
  void ofTwentyCreationsRacingForOneLoginNameExactlyOneWins() throws Exception {
    String login = unique("racer-");
    List<Optional<Account>> results = race(20, () -> accounts().create(newAccount(login)));
    assertThat(results.stream().filter(Optional::isPresent).count()).isEqualTo(1);
    assertThat(await(accounts().byLogin(login))).isPresent();
  }

  @Test
  void unicodeAndNulLoginNamesRoundTripExactly() throws Exception {
    for (String login : List.of("Zoë 🛡 Łódź", "пользователь", "nul\0inside", "ＡＢＣ")) {
      NewAccount n = new NewAccount(login, login, "ü@bücher.example", true, login, null);
      Account a = await(accounts().create(n)).orElseThrow();
      Account back = await(accounts().byLogin(login)).orElseThrow();
      assertThat(back.loginName()).isEqualTo(login);
      assertThat(back.displayName()).isEqualTo(login);
      assertThat(back.email()).isEqualTo("ü@bücher.example");
      assertThat(back.passwordHash()).isNull();
      assertThat(back.id()).isEqualTo(a.id());
    }
  }

  @Test
  void aTenKilobyteLoginAnUnpairedSurrogateAndAnEmptyKeyAreRefusedThroughTheStage()
      throws Exception {
    String huge = "x".repeat(10 * 1024);
    assertThat(failure(accounts().create(new NewAccount(huge, huge, null, false, "", null))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("login name: 10240 bytes (expected: at most 1024)");
    String broken = "a\uD800b";
    assertThat(failure(accounts().create(new NewAccount(broken, "ab", null, false, "", null))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not valid Unicode");
    assertThat(failure(accounts().create(new NewAccount("x", "", null, false, "", null))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(await(accounts().byLogin(huge))).isEmpty();
  }

  @Test
  void anUpdateAppliesOnlyAtTheVersionItWasReadAt() throws Exception {
    Account a = create(unique("carol-"));
    Account changed =
        await(
                accounts()
                    .update(
                        a.withEmail("new@example.com", true)
                            .withDisplayName("Carol C.")
                            .withStatus(AccountStatus.DISABLED)
                            .withPasswordHash("$argon2id$new")))
            .orElseThrow();
    assertThat(changed.version()).isEqualTo(2);
    assertThat(changed.email()).isEqualTo("new@example.com");
    assertThat(changed.emailVerified()).isTrue();
    assertThat(changed.status()).isEqualTo(AccountStatus.DISABLED);
    assertThat(changed.passwordHash()).isEqualTo("$argon2id$new");
    assertThat(changed.updated()).isAfterOrEqualTo(a.updated());
    assertThat(await(accounts().byId(a.id()))).contains(changed);
    // a writer that read version 1 loses
    assertThat(await(accounts().update(a.withDisplayName("stale")))).isEmpty();
    assertThat(await(accounts().byId(a.id())).orElseThrow().displayName()).isEqualTo("Carol C.");
  }

  @Test
  void aTotpStepIsAcceptedOnceAndNeverAnEarlierOne() throws Exception {
    Account a = create(unique("dave-"));
    assertThat(await(accounts().acceptTotpStep(a.id(), 100))).isFalse();
    byte[] secret = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
    assertThat(await(accounts().enrolTotp(a.id(), secret))).isTrue();
    assertThat(await(accounts().byId(a.id())).orElseThrow().totpEnrolled()).isTrue();
    assertThat(await(accounts().totp(a.id()))).contains(new TotpSecret(secret, -1));
    assertThat(await(accounts().acceptTotpStep(a.id(), 100))).isTrue();
    assertThat(await(accounts().acceptTotpStep(a.id(), 100))).isFalse();
    assertThat(await(accounts().acceptTotpStep(a.id(), 99))).isFalse();
    assertThat(await(accounts().acceptTotpStep(a.id(), 101))).isTrue();
    assertThat(await(accounts().totp(a.id())).orElseThrow().lastAcceptedStep()).isEqualTo(101);
    assertThat(await(accounts().removeTotp(a.id()))).isTrue();
    assertThat(await(accounts().totp(a.id()))).isEmpty();
    assertThat(await(accounts().removeTotp(a.id()))).isFalse();
    assertThat(failure(accounts().enrolTotp(a.id(), new byte[0])))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ofTenGatewaysAcceptingTheSameTotpCodeAtOnceExactlyOneSucceeds() throws Exception {
    Account a = create(unique("erin-"));
    await(accounts().enrolTotp(a.id(), new byte[20]));
    List<Boolean> results = race(10, () -> accounts().acceptTotpStep(a.id(), 5_000_000));
    assertThat(results.stream().filter(b -> b).count()).isEqualTo(1);
  }

  @Test
  void aRecoveryCodeIsUsedOnceEvenWhenTwoUseItAtOnce() throws Exception {
    Account a = create(unique("frank-"));
    List<String> codes = List.of("hash-one", "hash-two", "hash-three");
    assertThat(await(accounts().replaceRecoveryCodes(a.id(), codes))).isTrue();
    assertThat(await(accounts().recoveryCodes(a.id()))).containsExactlyInAnyOrderElementsOf(codes);
    assertThat(await(accounts().consumeRecoveryCode(a.id(), "hash-wrong"))).isFalse();
    List<Boolean> results = race(8, () -> accounts().consumeRecoveryCode(a.id(), "hash-two"));
    assertThat(results.stream().filter(b -> b).count()).isEqualTo(1);
    assertThat(await(accounts().consumeRecoveryCode(a.id(), "hash-two"))).isFalse();
    assertThat(await(accounts().recoveryCodes(a.id())))
        .containsExactlyInAnyOrder("hash-one", "hash-three");
    assertThat(await(accounts().replaceRecoveryCodes("no-such-id", codes))).isFalse();
    List<String> tooMany = new ArrayList<>();
    for (int i = 0; i <= StoredFieldLimits.RECOVERY_CODES; i++) {
      tooMany.add("h" + i);
    }
    assertThat(failure(accounts().replaceRecoveryCodes(a.id(), tooMany)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everyPurposeIsStoredAndKeptApartFromTheOthers() throws Exception {
    Account a = create(unique("purposes-"));
    Instant now = Instant.now();
    Instant later = now.plus(Duration.ofMinutes(10));
    for (OneTimePurpose p : OneTimePurpose.values()) {
      assertThat(await(accounts().issueToken(p, a.id(), tokenHash(p.code()), later, 4)))
          .as(p.code())
          .isTrue();
    }
    for (OneTimePurpose p : OneTimePurpose.values()) {
      for (OneTimePurpose other : OneTimePurpose.values()) {
        if (other != p) {
          assertThat(await(accounts().consumeToken(other, tokenHash(p.code()), now)))
              .as(p.code() + " as " + other.code())
              .isEmpty();
        }
      }
    }
    for (OneTimePurpose p : OneTimePurpose.values()) {
      assertThat(await(accounts().consumeToken(p, tokenHash(p.code()), now)))
          .as(p.code())
          .contains(a.id());
    }
  }

  @Test
  void aResetTokenWorksOnceBeforeItExpiresAndNeverForAnotherPurposeOrAGuess() throws Exception {
    Account a = create(unique("grace-"));
    Instant now = Instant.now();
    Instant later = now.plus(Duration.ofMinutes(15));
    OneTimePurpose reset = OneTimePurpose.PASSWORD_RESET;
    assertThat(await(accounts().issueToken(reset, a.id(), tokenHash("t1"), later, 5))).isTrue();
    assertThat(await(accounts().consumeToken(reset, tokenHash("guess"), now))).isEmpty();
    assertThat(
            await(accounts().consumeToken(OneTimePurpose.EMAIL_VERIFICATION, tokenHash("t1"), now)))
        .isEmpty();
    assertThat(await(accounts().consumeToken(reset, tokenHash("t1"), now))).contains(a.id());
    assertThat(await(accounts().consumeToken(reset, tokenHash("t1"), now))).isEmpty();
    // expired: refused, and gone
    await(accounts().issueToken(reset, a.id(), tokenHash("t2"), later, 5));
    assertThat(await(accounts().consumeToken(reset, tokenHash("t2"), later))).isEmpty();
    assertThat(await(accounts().consumeToken(reset, tokenHash("t2"), now))).isEmpty();
    // racing uses of one token: one winner
    await(accounts().issueToken(reset, a.id(), tokenHash("t3"), later, 5));
    List<Optional<String>> results =
        race(8, () -> accounts().consumeToken(reset, tokenHash("t3"), now));
    assertThat(results.stream().filter(Optional::isPresent).count()).isEqualTo(1);
    assertThat(await(accounts().issueToken(reset, "no-such-id", tokenHash("t4"), later, 5)))
        .isFalse();
    assertThat(failure(accounts().issueToken(reset, a.id(), new byte[3], later, 5)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aTakenTokenTellsTheExpiryItWasIssuedWithNotTheTimeOfUse() throws Exception {
    Account a = create(unique("gus-"));
    Instant now = Instant.now();
    // an odd expiry, to the millisecond: what is stored, not a rounding or a fresh lifetime
    Instant expires = now.plus(Duration.ofMinutes(42)).plusMillis(7);
    expires = Instant.ofEpochMilli(expires.toEpochMilli());
    OneTimePurpose invite = OneTimePurpose.INVITATION;
    await(accounts().issueToken(invite, a.id(), tokenHash("i1"), expires, 2));
    Instant later = now.plus(Duration.ofMinutes(30));
    assertThat(await(accounts().takeToken(invite, tokenHash("i1"), later)))
        .contains(new ConsumedToken(a.id(), expires));
    assertThat(await(accounts().takeToken(invite, tokenHash("i1"), later))).isEmpty();
    // stored again with what it told: still refused after its first expiry
    await(accounts().issueToken(invite, a.id(), tokenHash("i1"), expires, 2));
    assertThat(await(accounts().takeToken(invite, tokenHash("i1"), expires))).isEmpty();
  }

  @Test
  void anAccountKeepsAtMostItsBoundOfTokensAndRevocationDropsThemAll() throws Exception {
    Account a = create(unique("heidi-"));
    Instant later = Instant.now().plus(Duration.ofMinutes(15));
    OneTimePurpose verify = OneTimePurpose.EMAIL_VERIFICATION;
    for (int i = 0; i < 4; i++) {
      await(accounts().issueToken(verify, a.id(), tokenHash("v" + i), later, 2));
      Thread.sleep(2);
    }
    Instant now = Instant.now();
    assertThat(await(accounts().consumeToken(verify, tokenHash("v0"), now))).isEmpty();
    assertThat(await(accounts().consumeToken(verify, tokenHash("v1"), now))).isEmpty();
    assertThat(await(accounts().consumeToken(verify, tokenHash("v3"), now))).contains(a.id());
    await(accounts().issueToken(OneTimePurpose.PASSWORD_RESET, a.id(), tokenHash("r"), later, 2));
    assertThat(await(accounts().revokeTokens(a.id()))).isEqualTo(2);
    assertThat(await(accounts().consumeToken(verify, tokenHash("v2"), now))).isEmpty();
  }

  @Test
  void deletionErasesTheAccountAndFreesItsLoginName() throws Exception {
    String login = unique("ivan-");
    Account a = create(login);
    Organisation o = await(organisations().create(unique("org-"), "Org")).orElseThrow();
    await(organisations().setMembership(a.id(), o.id(), "owner"));
    await(accounts().enrolTotp(a.id(), new byte[20]));
    await(accounts().replaceRecoveryCodes(a.id(), List.of("c1")));
    Instant later = Instant.now().plus(Duration.ofMinutes(15));
    await(accounts().issueToken(OneTimePurpose.PASSWORD_RESET, a.id(), tokenHash(login), later, 5));

    assertThat(await(accounts().delete(a.id()))).isTrue();
    assertThat(await(accounts().delete(a.id()))).isFalse();
    assertThat(await(accounts().byId(a.id()))).isEmpty();
    assertThat(await(accounts().byLogin(login))).isEmpty();
    assertThat(await(accounts().totp(a.id()))).isEmpty();
    assertThat(await(accounts().recoveryCodes(a.id()))).isEmpty();
    assertThat(await(organisations().membershipsOf(a.id(), 10))).isEmpty();
    assertThat(await(organisations().members(o.id(), "", 10)).items()).isEmpty();
    assertThat(
            await(
                accounts()
                    .consumeToken(OneTimePurpose.PASSWORD_RESET, tokenHash(login), Instant.now())))
        .isEmpty();
    assertThat(await(accounts().update(a))).isEmpty();
    assertThat(await(accounts().enrolTotp(a.id(), new byte[20]))).isFalse();
    assertThat(await(organisations().setMembership(a.id(), o.id(), "owner"))).isFalse();
    Account again = create(login);
    assertThat(again.id()).isNotEqualTo(a.id());
  }

  @Test
  void accountsArePagedInIdOrderWithoutRepeatsOrGaps() throws Exception {
    Set<String> made = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      made.add(create(unique("page-")).id());
    }
    List<String> seen = new ArrayList<>();
    String after = "";
    int pages = 0;
    while (true) {
      Page<Account> p = await(accounts().list(after, 2));
      p.items().forEach(a -> seen.add(a.id()));
      pages++;
      if (p.next() == null) {
        break;
      }
      after = p.next();
    }
    assertThat(seen).containsExactlyInAnyOrderElementsOf(made).isSorted();
    assertThat(pages).isEqualTo(3);
    assertThat(failure(accounts().list("", 0))).isInstanceOf(IllegalArgumentException.class);
    assertThat(failure(accounts().list("", 1001))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void organisationsHaveUniqueSlugsAndMembershipsWithRoles() throws Exception {
    String slug = unique("acme-");
    Organisation o = await(organisations().create(slug, "Acme Ltd")).orElseThrow();
    assertThat(await(organisations().create(slug, "Other"))).isEmpty();
    assertThat(await(organisations().bySlug(slug))).contains(o);
    assertThat(await(organisations().byId(o.id()))).contains(o);
    Account a = create(unique("judy-"));
    Account b = create(unique("ken-"));
    assertThat(await(organisations().setMembership(a.id(), o.id(), "admin"))).isTrue();
    assertThat(await(organisations().setMembership(b.id(), o.id(), "member"))).isTrue();
    assertThat(await(organisations().setMembership(b.id(), o.id(), "billing"))).isTrue();
    assertThat(await(organisations().setMembership("no-such-id", o.id(), "x"))).isFalse();
    assertThat(await(organisations().setMembership(a.id(), "no-such-org", "x"))).isFalse();
    assertThat(await(organisations().membershipsOf(b.id(), 10)))
        .containsExactly(new Membership(b.id(), o.id(), "billing"));
    Page<Membership> first = await(organisations().members(o.id(), "", 1));
    assertThat(first.items()).hasSize(1);
    Page<Membership> second =
        await(organisations().members(o.id(), java.util.Objects.requireNonNull(first.next()), 1));
    assertThat(second.items()).hasSize(1);
    assertThat(second.next()).isNull();
    assertThat(await(organisations().removeMembership(a.id(), o.id()))).isTrue();
    assertThat(await(organisations().removeMembership(a.id(), o.id()))).isFalse();
    assertThat(await(organisations().delete(o.id()))).isTrue();
    assertThat(await(organisations().membershipsOf(b.id(), 10))).isEmpty();
    assertThat(await(organisations().bySlug(slug))).isEmpty();
    assertThat(await(organisations().delete(o.id()))).isFalse();
  }

  @Test
  void organisationsArePagedAndHostileSlugsAndRolesAreRefused() throws Exception {
    for (int i = 0; i < 3; i++) {
      await(organisations().create(unique("p-"), "P"));
    }
    Page<Organisation> p = await(organisations().list("", 2));
    assertThat(p.items()).hasSize(2);
    assertThat(await(organisations().list(java.util.Objects.requireNonNull(p.next()), 2)).items())
        .hasSize(1);
    assertThat(failure(organisations().create("nul\0slug", "N")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NUL");
    assertThat(failure(organisations().create("x".repeat(129), "N")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(failure(organisations().create("", "N")))
        .isInstanceOf(IllegalArgumentException.class);
    Organisation o = await(organisations().create(unique("q-"), "Q")).orElseThrow();
    Account a = create(unique("leo-"));
    assertThat(failure(organisations().setMembership(a.id(), o.id(), "r\0le")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
