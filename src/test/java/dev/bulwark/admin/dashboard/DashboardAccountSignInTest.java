package dev.bulwark.admin.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.EventDetail;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.config.AdminConfig;
import dev.bulwark.identity.login.LoginName;
import dev.bulwark.identity.login.ThrottleSettings;
import dev.bulwark.identity.totp.RecoveryCodes;
import dev.bulwark.identity.totp.Totp;
import dev.bulwark.identity.totp.TotpSecret;
import dev.bulwark.store.Account;
import dev.bulwark.store.NewAccount;
import dev.bulwark.store.Organisation;
import dev.bulwark.testing.TestGateway;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's sign-in with accounts ({@code admin.dashboard}): only a member with the admin
 * role in the operators' organisation, with its password and a TOTP code (each once) or a recovery
 * code, gets a session; every wrong answer is throttled and written as a login event, an unknown
 * name answers like a wrong password, and the form still needs the listener's own Origin.
 */
class DashboardAccountSignInTest {
  private static final String PASSWORD = "correct horse battery staple 42";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The listener, with ada (admin, TOTP), bob (not admin) and cyd (admin without TOTP). */
  private record Setup(DashboardListener l, TotpSecret totp, List<String> recovery) {}

  private static Setup setUp(DashboardListener l) throws Exception {
    l.config.set(
        AdminConfig.withToken(DashboardListener.TOKEN).withDashboardAdmins("operators", "admin"));
    Organisation org = get(l.organisations.create("operators", "Operators")).orElseThrow();
    Account ada = account(l, "ada");
    Account bob = account(l, "bob");
    Account cyd = account(l, "cyd");
    get(l.organisations.setMembership(ada.id(), org.id(), "admin"));
    get(l.organisations.setMembership(bob.id(), org.id(), "viewer"));
    get(l.organisations.setMembership(cyd.id(), org.id(), "admin"));
    TotpSecret secret = TotpSecret.generate(RANDOM);
    get(l.accounts.enrolTotp(ada.id(), secret.bytes()));
    get(l.accounts.enrolTotp(bob.id(), TotpSecret.generate(RANDOM).bytes()));
    RecoveryCodes.Issued codes = RecoveryCodes.issue(RANDOM);
    get(l.accounts.replaceRecoveryCodes(ada.id(), codes.hashes()));
    return new Setup(l, secret, codes.codes());
  }

  private static Account account(DashboardListener l, String login) throws Exception {
    String normalised = Objects.requireNonNull(LoginName.parse(login).name()).value();
    return get(l.accounts.create(
            new NewAccount(login, normalised, null, false, login, l.hasher.hash(PASSWORD))))
        .orElseThrow();
  }

  private static <T> T get(java.util.concurrent.CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static String code(TotpSecret secret) {
    return Totp.code(secret, Totp.step(Instant.now()));
  }

  private static HttpResponse<String> signIn(
      DashboardListener l, String login, String password, String code) throws Exception {
    return l.post("/dashboard/sign-in", null, "login", login, "password", password, "code", code);
  }

  private static String pair(HttpResponse<String> r) {
    String c = r.headers().firstValue("set-cookie").orElseThrow();
    return c.substring(0, c.indexOf(';'));
  }

  private static List<SecurityEvent> events(DashboardListener l, SecurityEventKind kind) {
    return l.published.stream().filter(e -> e.kind() == kind).toList();
  }

  @Test
  void theSignInPageAsksForLoginPasswordAndCodeNotTheToken() throws Exception {
    try (DashboardListener l = DashboardListener.plain()) {
      setUp(l);
      String page = l.get("/dashboard/sign-in").body();
      assertThat(page)
          .contains("name=\"login\"", "name=\"password\"", "name=\"code\"")
          .doesNotContain("name=\"token\"");
    }
  }

  @Test
  void anAdminWithPasswordAndTotpCodeSignsInOnceAndTheLoginIsAnEvent() throws Exception {
    try (DashboardListener l = DashboardListener.plain()) {
      Setup s = setUp(l);
      String code = code(s.totp());
      HttpResponse<String> ok = signIn(l, "ada", PASSWORD, code);
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(303);
      assertThat(ok.headers().firstValue("location")).hasValue("/dashboard");
      assertThat(l.get("/dashboard", "cookie", pair(ok)).statusCode()).isEqualTo(200);
      assertThat(events(l, SecurityEventKind.LOGIN_SUCCEEDED))
          .anySatisfy(
              e -> {
                assertThat(e.route()).isEqualTo("admin:dashboard");
                assertThat(e.subject()).isEqualTo("ada");
                assertThat(((EventDetail.LoginAttempt) e.detail()).factor()).isEqualTo("totp");
              });
      // The same code again (a replay, or a shoulder-surfer's copy) is refused.
      HttpResponse<String> replay = signIn(l, "ada", PASSWORD, code);
      assertThat(replay.statusCode()).isEqualTo(401);
      assertThat(replay.headers().firstValue("set-cookie")).isEmpty();
      assertThat(replay.body()).contains("Wrong or already used code.");
      assertThat(events(l, SecurityEventKind.MFA_FAILED)).isNotEmpty();
    }
  }

  @Test
  void aWrongPasswordAndAnUnknownNameGetTheSameAnswer() throws Exception {
    try (DashboardListener l = DashboardListener.plain()) {
      Setup s = setUp(l);
      HttpResponse<String> wrong = signIn(l, "ada", "not the password", code(s.totp()));
      HttpResponse<String> unknown = signIn(l, "nobody", PASSWORD, code(s.totp()));
      HttpResponse<String> unreadable = signIn(l, "a\u0000da", PASSWORD, code(s.totp()));
      for (HttpResponse<String> r : List.of(wrong, unknown, unreadable)) {
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("set-cookie")).isEmpty();
        assertThat(r.body()).contains("Wrong login name or password.");
      }
      assertThat(unknown.body()).isEqualTo(wrong.body());
      assertThat(events(l, SecurityEventKind.LOGIN_FAILED))
          .hasSize(3)
          .allSatisfy(e -> assertThat(e.route()).isEqualTo("admin:dashboard"));
      assertThat(l.published.toString()).doesNotContain(PASSWORD).doesNotContain("\u0000");
    }
  }

  @Test
  void aWrongCodeIsRefusedAfterTheRightPassword() throws Exception {
    try (DashboardListener l = DashboardListener.plain()) {
      Setup s = setUp(l);
      String right = code(s.totp());
      String wrongCode = right.equals("000000") ? "111111" : "000000";
      for (String c : List.of(wrongCode, "", "not-a-recovery-code")) {
        HttpResponse<String> r = signIn(l, "ada", PASSWORD, c);
        assertThat(r.statusCode()).as(c).isEqualTo(401);
        assertThat(r.headers().firstValue("set-cookie")).isEmpty();
      }
      assertThat(events(l, SecurityEventKind.MFA_FAILED)).hasSize(3);
    }
  }

  @Test
  void aRecoveryCodeSignsInOnce() throws Exception {
    try (DashboardListener l = DashboardListener.plain()) {
      Setup s = setUp(l);
      String recovery = s.recovery().get(0);
      assertThat(signIn(l, "ada", PASSWORD, recovery).statusCode()).isEqualTo(303);
      assertThat(signIn(l, "ada", PASSWORD, recovery).statusCode()).isEqualTo(401);
    }
  }

  @Test
  void anAccountWithoutTheAdminRoleIsRefusedEvenWithEverythingRight() throws Exception {
    try (DashboardListener l = DashboardListener.plain()) {
      setUp(l);
      HttpResponse<String> r = signIn(l, "bob", PASSWORD, "123456");
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.headers().firstValue("set-cookie")).isEmpty();
      assertThat(r.body()).contains("This account is not a dashboard admin.");
      assertThat(events(l, SecurityEventKind.ADMIN_AUTH_FAILED))
          .singleElement()
          .satisfies(e -> assertThat(e.reason()).contains("not a dashboard admin"));
      // An admin of another organisation is no dashboard admin either.
      Organisation other = get(l.organisations.create("customers", "Customers")).orElseThrow();
      Account bob = get(l.accounts.byLogin("bob")).orElseThrow();
      get(l.organisations.setMembership(bob.id(), other.id(), "admin"));
      assertThat(signIn(l, "bob", PASSWORD, "123456").statusCode()).isEqualTo(403);
    }
  }

  @Test
  void anAdminWithoutASecondFactorIsToldToEnrolOne() throws Exception {
    try (DashboardListener l = DashboardListener.plain()) {
      setUp(l);
      HttpResponse<String> r = signIn(l, "cyd", PASSWORD, "123456");
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.headers().firstValue("set-cookie")).isEmpty();
      assertThat(r.body()).contains("Enrol a second factor (TOTP) for this account first");
      assertThat(events(l, SecurityEventKind.ADMIN_AUTH_FAILED))
          .singleElement()
          .satisfies(e -> assertThat(e.reason()).contains("without a second factor"));
    }
  }

  @Test
  void theAdminTokenNoLongerSignsInToTheDashboard() throws Exception {
    try (DashboardListener l = DashboardListener.plain()) {
      setUp(l);
      HttpResponse<String> r = l.post("/dashboard/sign-in", null, "token", DashboardListener.TOKEN);
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("set-cookie")).isEmpty();
    }
  }

  @Test
  void repeatedFailuresAreThrottledEvenForTheRightCredentials() throws Exception {
    ThrottleSettings strict =
        new ThrottleSettings(
            Duration.ofMinutes(15),
            2,
            2,
            1000,
            Duration.ofSeconds(30),
            Duration.ofMinutes(5),
            Duration.ZERO,
            1000,
            1000,
            1000);
    try (DashboardListener l = new DashboardListener(3, null, strict)) {
      Setup s = setUp(l);
      for (int i = 0; i < 3; i++) {
        assertThat(signIn(l, "ada", "wrong " + i, "000000").statusCode()).isEqualTo(401);
      }
      HttpResponse<String> held = signIn(l, "ada", PASSWORD, code(s.totp()));
      assertThat(held.statusCode()).isEqualTo(429);
      assertThat(held.headers().firstValue("retry-after")).isPresent();
      assertThat(held.headers().firstValue("set-cookie")).isEmpty();
      assertThat(events(l, SecurityEventKind.LOGIN_THROTTLED)).isNotEmpty();
      l.advance(Duration.ofMinutes(1));
      assertThat(signIn(l, "ada", PASSWORD, code(s.totp())).statusCode()).isEqualTo(303);
    }
  }

  @Test
  void wrongCodesAreThrottledToo() throws Exception {
    ThrottleSettings strict =
        new ThrottleSettings(
            Duration.ofMinutes(15),
            1000,
            2,
            1000,
            Duration.ofSeconds(30),
            Duration.ofMinutes(5),
            Duration.ZERO,
            1000,
            1000,
            1000);
    try (DashboardListener l = new DashboardListener(3, null, strict)) {
      Setup s = setUp(l);
      String right = code(s.totp());
      String wrongCode = right.equals("000000") ? "111111" : "000000";
      for (int i = 0; i < 3; i++) {
        assertThat(signIn(l, "ada", PASSWORD, wrongCode).statusCode()).isEqualTo(401);
      }
      assertThat(signIn(l, "ada", PASSWORD, right).statusCode()).isEqualTo(429);
    }
  }

  @Test
  void theSignInFormStillNeedsTheListenersOwnOriginAndChangesTheirCsrfToken() throws Exception {
    try (DashboardListener l = DashboardListener.plain()) {
      Setup s = setUp(l);
      HttpResponse<String> foreign =
          l.postFrom(
              "https://evil.example",
              "/dashboard/sign-in",
              null,
              "login",
              "ada",
              "password",
              PASSWORD,
              "code",
              code(s.totp()));
      assertThat(foreign.statusCode()).isEqualTo(403);
      assertThat(foreign.headers().firstValue("set-cookie")).isEmpty();
      HttpResponse<String> none =
          l.postFrom(
              null,
              "/dashboard/sign-in",
              null,
              "login",
              "ada",
              "password",
              PASSWORD,
              "code",
              code(s.totp()));
      assertThat(none.statusCode()).isEqualTo(403);
      String cookie = pair(signIn(l, "ada", PASSWORD, code(s.totp())));
      assertThat(l.post("/dashboard/ban", cookie, "address", "192.0.2.1").statusCode())
          .isEqualTo(403);
      assertThat(
              l.post("/dashboard/ban", cookie, "address", "192.0.2.1", "csrf", l.csrf(cookie))
                  .statusCode())
          .isEqualTo(303);
    }
  }

  @Test
  void overTlsTheAccountSessionCookieIsSecureWithTheHostPrefix() throws Exception {
    try (DashboardListener l = new DashboardListener(3, TestGateway.certificate())) {
      Setup s = setUp(l);
      HttpResponse<String> ok = signIn(l, "ada", PASSWORD, code(s.totp()));
      assertThat(ok.statusCode()).isEqualTo(303);
      assertThat(ok.headers().firstValue("set-cookie").orElseThrow())
          .startsWith("__Host-bulwark-dashboard=")
          .contains("; Secure", "; HttpOnly", "; SameSite=Strict", "; Path=/");
    }
  }
}
