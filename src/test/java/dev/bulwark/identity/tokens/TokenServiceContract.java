package dev.bulwark.identity.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.store.Stores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the token issuer does on every store backend (memory, SQLite, Redis for real): refresh
 * tokens rotate once, a replay after rotation revokes the session and says so, the grace gives
 * parallel tabs the same successor, sessions end when idle or old, and revocation reaches access
 * tokens.
 */
public abstract class TokenServiceContract {
  static final Origin ORIGIN = new Origin("req-1", "192.0.2.7", "Mozilla/5.0 test");
  static final AccountClaims SAME =
      account ->
          CompletableFuture.completedFuture(
              new TokenSubject(account, Set.of("user"), Set.of("acme")));

  protected Stores stores;
  protected final MutableClock clock = new MutableClock();
  protected final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

  /** Opens a fresh backend for one test. */
  protected abstract Stores open() throws Exception;

  @BeforeEach
  void openStores() throws Exception {
    stores = open();
  }

  @AfterEach
  void closeStores() {
    stores.close();
  }

  protected static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  protected TokenService service(Duration grace) {
    return service(stores, grace);
  }

  protected TokenService service(Stores on, Duration grace) {
    TokensConfig c = TokensConfig.OFF;
    TokensConfig config =
        new TokensConfig(
            true,
            "https://auth.example.com",
            "api",
            c.accessTtl(),
            Duration.ofDays(30),
            Duration.ofDays(7),
            grace,
            TokensConfig.Algorithm.ES256,
            Duration.ofDays(30),
            3);
    return TokenService.create(config, on, new SecurityEvents(List.of(events::add)), clock);
  }

  protected static String account() {
    return "acct-" + UUID.randomUUID();
  }

  protected static TokenSubject subject(String account) {
    return new TokenSubject(account, Set.of("user"), Set.of("acme"));
  }

  @Test
  void aRefreshTokenIsExchangedOnceAndItsReplayAfterTheGraceRevokesTheSession() throws Exception {
    TokenService tokens = service(Duration.ofSeconds(10));
    TokenGrant first = await(tokens.signIn(subject(account()), List.of("pwd"), ORIGIN));
    RefreshOutcome r = await(tokens.refresh(first.refreshToken(), ORIGIN, SAME));
    assertThat(r).isInstanceOf(RefreshOutcome.Granted.class);
    TokenGrant second = ((RefreshOutcome.Granted) r).grant();
    assertThat(second.refreshToken()).isNotEqualTo(first.refreshToken());
    assertThat(second.sessionId()).isEqualTo(first.sessionId());

    clock.advance(Duration.ofSeconds(11));
    RefreshOutcome replay = await(tokens.refresh(first.refreshToken(), ORIGIN, SAME));
    assertThat(replay).isEqualTo(new RefreshOutcome.Refused(RefreshOutcome.Reason.REUSED));
    assertThat(events)
        .extracting(SecurityEvent::kind)
        .containsExactly(SecurityEventKind.REFRESH_TOKEN_REUSED);
    assertThat(await(tokens.refresh(second.refreshToken(), ORIGIN, SAME)))
        .as("the legitimate successor dies with its session")
        .isEqualTo(new RefreshOutcome.Refused(RefreshOutcome.Reason.INVALID));
    assertThat(stores.refreshTokens().revoked(first.sessionId())).isTrue();
  }

  @Test
  void twentyParallelRefreshesWithinTheGraceAllGetTheSameSuccessor() throws Exception {
    TokenService tokens = service(Duration.ofSeconds(10));
    TokenGrant first = await(tokens.signIn(subject(account()), List.of("pwd"), ORIGIN));
    List<RefreshOutcome> outcomes =
        parallel(20, () -> tokens.refresh(first.refreshToken(), ORIGIN, SAME));
    Set<String> successors = new HashSet<>();
    int fresh = 0;
    for (RefreshOutcome o : outcomes) {
      assertThat(o).isInstanceOf(RefreshOutcome.Granted.class);
      RefreshOutcome.Granted g = (RefreshOutcome.Granted) o;
      successors.add(g.grant().refreshToken());
      fresh += g.repeated() ? 0 : 1;
    }
    assertThat(fresh).as("exactly one rotation").isEqualTo(1);
    assertThat(successors).as("one successor for every tab").hasSize(1);
    assertThat(events).isEmpty();
    RefreshOutcome next = await(tokens.refresh(successors.iterator().next(), ORIGIN, SAME));
    assertThat(next).isInstanceOf(RefreshOutcome.Granted.class);
  }

  @Test
  void twentyParallelRefreshesWithoutGraceHaveOneWinnerAndTheRestRevokeTheSession()
      throws Exception {
    TokenService tokens = service(Duration.ZERO);
    TokenGrant first = await(tokens.signIn(subject(account()), List.of("pwd"), ORIGIN));
    List<RefreshOutcome> outcomes =
        parallel(20, () -> tokens.refresh(first.refreshToken(), ORIGIN, SAME));
    List<TokenGrant> granted = new ArrayList<>();
    int reused = 0;
    for (RefreshOutcome o : outcomes) {
      if (o instanceof RefreshOutcome.Granted g) {
        granted.add(g.grant());
      } else if (o.equals(new RefreshOutcome.Refused(RefreshOutcome.Reason.REUSED))) {
        reused++;
      }
    }
    assertThat(granted).as("exactly one winner").hasSize(1);
    assertThat(reused)
        .as("the first loser revokes; later ones find no session")
        .isGreaterThanOrEqualTo(1);
    assertThat(await(tokens.refresh(granted.get(0).refreshToken(), ORIGIN, SAME)))
        .as("the session is revoked, the winner's successor included")
        .isInstanceOf(RefreshOutcome.Refused.class);
    assertThat(stores.refreshTokens().revoked(first.sessionId())).isTrue();
    assertThat(events)
        .extracting(SecurityEvent::kind)
        .contains(SecurityEventKind.REFRESH_TOKEN_REUSED);
  }

  @Test
  void anIdleSessionEndsAndSoDoesAnOldOne() throws Exception {
    TokenService tokens = service(Duration.ofSeconds(10));
    TokenGrant idle = await(tokens.signIn(subject(account()), List.of("pwd"), ORIGIN));
    clock.advance(Duration.ofDays(7).plusSeconds(1));
    assertThat(await(tokens.refresh(idle.refreshToken(), ORIGIN, SAME)))
        .isEqualTo(new RefreshOutcome.Refused(RefreshOutcome.Reason.ENDED));

    TokenGrant kept = await(tokens.signIn(subject(account()), List.of("pwd"), ORIGIN));
    String token = kept.refreshToken();
    for (int day = 6; day <= 29; day += day == 24 ? 5 : 6) {
      clock.advance(Duration.ofDays(day == 29 ? 5 : 6));
      RefreshOutcome o = await(tokens.refresh(token, ORIGIN, SAME));
      assertThat(o).as("day %d", day).isInstanceOf(RefreshOutcome.Granted.class);
      token = ((RefreshOutcome.Granted) o).grant().refreshToken();
    }
    clock.advance(Duration.ofDays(2));
    assertThat(await(tokens.refresh(token, ORIGIN, SAME)))
        .as("31 days: past the absolute lifetime however it is used")
        .isEqualTo(new RefreshOutcome.Refused(RefreshOutcome.Reason.ENDED));
  }

  @Test
  void malformedForgedAndForeignRefreshTokensAreRefusedWithoutRevokingAnything() throws Exception {
    TokenService tokens = service(Duration.ofSeconds(10));
    TokenGrant live = await(tokens.signIn(subject(account()), List.of("pwd"), ORIGIN));
    for (String bad :
        List.of(
            "",
            "x",
            live.refreshToken() + "A",
            live.refreshToken().substring(1) + "+",
            "A".repeat(64),
            "\u0000".repeat(64),
            "é".repeat(64))) {
      assertThat(await(tokens.refresh(bad, ORIGIN, SAME)))
          .as("%s", bad.length() > 10 ? bad.substring(0, 10) : bad)
          .isInstanceOf(RefreshOutcome.Refused.class);
    }
    assertThat(await(tokens.refresh(live.refreshToken(), ORIGIN, SAME)))
        .isInstanceOf(RefreshOutcome.Granted.class);
  }

  @Test
  void signOutEverywhereRevokesEverySessionOfTheAccountOnly() throws Exception {
    TokenService tokens = service(Duration.ofSeconds(10));
    String a = account();
    TokenGrant one = await(tokens.signIn(subject(a), List.of("pwd"), ORIGIN));
    clock.advance(Duration.ofMillis(5));
    TokenGrant two = await(tokens.signIn(subject(a), List.of("pwd", "otp"), ORIGIN));
    TokenGrant other = await(tokens.signIn(subject(account()), List.of("pwd"), ORIGIN));
    assertThat(await(tokens.sessions(a)))
        .extracting(SessionInfo::sessionId)
        .containsExactly(one.sessionId(), two.sessionId());
    assertThat(await(tokens.revokeAll(a, ORIGIN, "sign-out-everywhere"))).isEqualTo(2);
    assertThat(stores.refreshTokens().revoked(one.sessionId())).isTrue();
    assertThat(stores.refreshTokens().revoked(two.sessionId())).isTrue();
    assertThat(stores.refreshTokens().revoked(other.sessionId())).isFalse();
    assertThat(await(tokens.sessions(a))).isEmpty();
    assertThat(await(tokens.refresh(two.refreshToken(), ORIGIN, SAME)))
        .isInstanceOf(RefreshOutcome.Refused.class);
    assertThat(await(tokens.refresh(other.refreshToken(), ORIGIN, SAME)))
        .isInstanceOf(RefreshOutcome.Granted.class);
    assertThat(events)
        .extracting(SecurityEvent::kind)
        .containsExactly(SecurityEventKind.SESSION_REVOKED);
  }

  @Test
  void sessionsListWhereAndHowAndTheOldestGoesBeyondTheLimit() throws Exception {
    TokenService tokens = service(Duration.ofSeconds(10));
    String a = account();
    Origin longAgent = new Origin("r", "198.51.100.4", "A\r\nSet-Cookie: x" + "z".repeat(5000));
    TokenGrant oldest = await(tokens.signIn(subject(a), List.of("pwd", "otp"), longAgent));
    SessionInfo s = await(tokens.sessions(a)).get(0);
    assertThat(s.userAgent()).hasSize(Origin.MAX_USER_AGENT).doesNotContain("\r", "\n");
    assertThat(s.clientAddress()).isEqualTo("198.51.100.4");
    assertThat(s.amr()).containsExactly("pwd", "otp");
    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofMillis(5));
      await(tokens.signIn(subject(a), List.of("pwd"), ORIGIN));
    }
    assertThat(await(tokens.sessions(a)))
        .hasSize(3)
        .extracting(SessionInfo::sessionId)
        .doesNotContain(oldest.sessionId());
    assertThat(stores.refreshTokens().revoked(oldest.sessionId())).isTrue();
  }

  @Test
  void anAccountThatMayNoLongerSignInLosesItsSessionAtTheNextRefresh() throws Exception {
    TokenService tokens = service(Duration.ofSeconds(10));
    TokenGrant g = await(tokens.signIn(subject(account()), List.of("pwd"), ORIGIN));
    assertThat(
            await(
                tokens.refresh(
                    g.refreshToken(), ORIGIN, acct -> CompletableFuture.completedFuture(null))))
        .isEqualTo(new RefreshOutcome.Refused(RefreshOutcome.Reason.ACCOUNT_GONE));
    assertThat(stores.refreshTokens().revoked(g.sessionId())).isTrue();
  }

  @Test
  void accessTokensCarryTheClaimsRoutesAreJudgedBy() throws Exception {
    TokenService tokens = service(Duration.ofSeconds(10));
    String a = account();
    TokenGrant g = await(tokens.signIn(subject(a), List.of("pwd", "otp"), ORIGIN));
    SignedJWT jwt = SignedJWT.parse(g.accessToken());
    assertThat(jwt.getHeader().getType().getType()).isEqualTo("at+jwt");
    assertThat(jwt.getHeader().getKeyID()).startsWith("bt-");
    var c = jwt.getJWTClaimsSet();
    assertThat(c.getIssuer()).isEqualTo("https://auth.example.com");
    assertThat(c.getSubject()).isEqualTo(a);
    assertThat(c.getAudience()).containsExactly("api");
    assertThat(c.getStringClaim("sid")).isEqualTo(g.sessionId());
    assertThat(c.getStringListClaim("amr")).containsExactly("pwd", "otp");
    assertThat(c.getStringListClaim("orgs")).containsExactly("acme");
    assertThat(c.getStringListClaim("roles")).containsExactly("user");
    assertThat(c.getJWTID()).isNotBlank();
    assertThat(c.getExpirationTime().getTime() - c.getIssueTime().getTime())
        .isEqualTo(Duration.ofMinutes(5).toMillis());
    assertThat(g.expiresInSeconds()).isEqualTo(300);
    assertThat(g.toString()).doesNotContain(g.refreshToken(), g.accessToken());
  }

  /** Runs {@code n} calls at once (released together) and returns their outcomes. */
  static <T> List<T> parallel(int n, java.util.function.Supplier<CompletionStage<T>> call)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        futures.add(
            pool.submit(
                () -> {
                  go.await();
                  return await(call.get());
                }));
      }
      go.countDown();
      List<T> out = new ArrayList<>();
      for (Future<T> f : futures) {
        out.add(f.get(20, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
