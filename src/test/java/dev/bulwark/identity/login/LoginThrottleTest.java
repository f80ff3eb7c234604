package dev.bulwark.identity.login;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.identity.login.LoginThrottle.Attempt;
import dev.bulwark.identity.login.LoginThrottle.Factor;
import dev.bulwark.store.Ban;
import dev.bulwark.store.BanStore;
import dev.bulwark.store.memory.MemoryBanStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The login throttle over the in-memory strike counters, with its delays on a clock moved by hand:
 * stuffing from one address and spraying from many detected, delays that double up to a cap and
 * then end (no lockout), and separate counts for second factors.
 */
class LoginThrottleTest {
  private final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
  private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
  private final BanStore store = new MemoryBanStore(1_000_000, 1000);
  private final ThrottleSettings settings = ThrottleSettings.DEFAULTS;
  private final LoginThrottle throttle =
      new LoginThrottle(settings, store, new SecurityEvents(List.of(events::add)), clock::get);

  private static Attempt attempt(String client, String login) {
    LoginName name = LoginName.parse(login).name();
    assertThat(name).isNotNull();
    return new Attempt(
        "r-" + client + "-" + login, client, "login", java.util.Objects.requireNonNull(name));
  }

  private ThrottleDecision fail(Attempt a, Factor f) {
    return throttle.failed(a, f).toCompletableFuture().join();
  }

  private void advance(Duration d) {
    clock.addAndGet(d.toNanos());
  }

  private List<SecurityEvent> ofKind(SecurityEventKind kind) {
    List<SecurityEvent> out = new ArrayList<>();
    for (SecurityEvent e : events) {
      if (e.kind() == kind) {
        out.add(e);
      }
    }
    return out;
  }

  @Test
  void oneAddressAgainstAThousandLoginNamesIsDetectedAndStopped() {
    int refused = 0;
    for (int i = 0; i < 1000; i++) {
      Attempt a = attempt("198.51.100.7", "user" + i + "@example.com");
      if (throttle.check(a, Factor.PASSWORD).action() == ThrottleDecision.Action.REFUSE) {
        refused++;
        continue; // a refused attempt never reaches the password check, so it is not a failure
      }
      fail(a, Factor.PASSWORD);
    }
    List<SecurityEvent> stuffing = ofKind(SecurityEventKind.CREDENTIAL_STUFFING_SUSPECTED);
    assertThat(stuffing).hasSize(1);
    assertThat(stuffing.get(0).client()).isEqualTo("198.51.100.7");
    assertThat(ofKind(SecurityEventKind.LOGIN_FAILED)).hasSize(settings.namesPerAddress());
    assertThat(refused).isEqualTo(1000 - settings.namesPerAddress());
    // Every further name from that address waits the cap; other addresses are not affected.
    ThrottleDecision next = throttle.check(attempt("198.51.100.7", "fresh"), Factor.PASSWORD);
    assertThat(next.action()).isEqualTo(ThrottleDecision.Action.REFUSE);
    assertThat(next.after()).isEqualTo(settings.maxDelay());
    assertThat(throttle.check(attempt("203.0.113.9", "user1@example.com"), Factor.PASSWORD))
        .isEqualTo(ThrottleDecision.ALLOW);
  }

  @Test
  void fiftyAddressesAgainstOneLoginNameAreDetectedAndHeldNotLockedOut() {
    for (int i = 0; i < 50; i++) {
      Attempt a = attempt("192.0.2." + (i + 1), "alice");
      assertThat(throttle.check(a, Factor.PASSWORD).action())
          .isNotEqualTo(ThrottleDecision.Action.REFUSE);
      fail(a, Factor.PASSWORD);
    }
    List<SecurityEvent> stuffing = ofKind(SecurityEventKind.CREDENTIAL_STUFFING_SUSPECTED);
    assertThat(stuffing).hasSize(1);
    assertThat(stuffing.get(0).reason()).isEqualTo("credential stuffing suspected");
    // Any address trying alice now is held (each guess costs the attacker seconds) ...
    ThrottleDecision newcomer = throttle.check(attempt("203.0.113.50", "alice"), Factor.PASSWORD);
    assertThat(newcomer).isEqualTo(ThrottleDecision.delay(settings.holdLimit()));
    // ... including the real user, who still gets in, a little slower; bob is untouched.
    assertThat(throttle.check(attempt("203.0.113.50", "bob"), Factor.PASSWORD))
        .isEqualTo(ThrottleDecision.ALLOW);
    // An address of the botnet that fails again is delayed at once (no free failures left).
    ThrottleDecision again = fail(attempt("192.0.2.1", "alice"), Factor.PASSWORD);
    assertThat(again.action()).isEqualTo(ThrottleDecision.Action.DELAY);
  }

  @Test
  void delaysDoubleAfterTheFreeFailuresUpToTheCapAndNeverLockOut() {
    Attempt a = attempt("198.51.100.20", "carol");
    List<Duration> waits = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      ThrottleDecision d = fail(a, Factor.PASSWORD);
      waits.add(d.after());
      // The attacker (or user) waits each delay out before the next attempt.
      ThrottleDecision before = throttle.check(a, Factor.PASSWORD);
      assertThat(before.after()).isEqualTo(d.after());
      advance(d.after());
      assertThat(throttle.check(a, Factor.PASSWORD)).isEqualTo(ThrottleDecision.ALLOW);
    }
    assertThat(waits.subList(0, 5)).containsOnly(Duration.ZERO);
    assertThat(waits.subList(5, 12))
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(8),
            Duration.ofSeconds(16),
            Duration.ofSeconds(32),
            Duration.ofSeconds(64));
    assertThat(waits.subList(12, 15))
        .containsExactly(Duration.ofSeconds(128), Duration.ofSeconds(256), settings.maxDelay());
    assertThat(waits).allSatisfy(w -> assertThat(w).isLessThanOrEqualTo(settings.maxDelay()));
    // Short delays are served by holding the answer; long ones are refused with Retry-After.
    assertThat(ThrottleDecision.delay(Duration.ofSeconds(1)).action())
        .isEqualTo(ThrottleDecision.Action.DELAY);
    assertThat(ofKind(SecurityEventKind.LOGIN_FAILED)).hasSize(15);
    assertThat(ofKind(SecurityEventKind.LOGIN_FAILED).get(14).detail().toString())
        .contains("failures=15");
  }

  @Test
  void aSuccessClearsThePairButNotTheAddress() {
    Attempt a = attempt("198.51.100.30", "dave");
    for (int i = 0; i < 7; i++) {
      fail(a, Factor.PASSWORD);
    }
    assertThat(throttle.check(a, Factor.PASSWORD).action())
        .isNotEqualTo(ThrottleDecision.Action.ALLOW);
    throttle.succeeded(a, Factor.PASSWORD).toCompletableFuture().join();
    assertThat(throttle.check(a, Factor.PASSWORD)).isEqualTo(ThrottleDecision.ALLOW);
    assertThat(ofKind(SecurityEventKind.LOGIN_SUCCEEDED))
        .singleElement()
        .satisfies(e -> assertThat(e.subject()).isEqualTo("dave"));
    // The count restarted: five more free failures.
    for (int i = 0; i < 5; i++) {
      assertThat(fail(a, Factor.PASSWORD)).isEqualTo(ThrottleDecision.ALLOW);
    }
  }

  @Test
  void secondFactorFailuresAreCountedApart() {
    Attempt a = attempt("198.51.100.40", "erin");
    for (int i = 0; i < 4; i++) {
      fail(a, Factor.PASSWORD);
    }
    assertThat(throttle.check(a, Factor.TOTP)).isEqualTo(ThrottleDecision.ALLOW);
    assertThat(fail(a, Factor.TOTP)).isEqualTo(ThrottleDecision.ALLOW);
    assertThat(fail(a, Factor.RECOVERY_CODE)).isEqualTo(ThrottleDecision.ALLOW);
    assertThat(fail(a, Factor.TOTP)).isEqualTo(ThrottleDecision.ALLOW);
    ThrottleDecision fourth = fail(a, Factor.TOTP); // three free second-factor failures
    assertThat(fourth).isEqualTo(ThrottleDecision.delay(Duration.ofSeconds(1)));
    assertThat(throttle.check(a, Factor.PASSWORD)).isEqualTo(ThrottleDecision.ALLOW);
    assertThat(ofKind(SecurityEventKind.MFA_FAILED)).hasSize(4);
  }

  @Test
  void aRefusalIsReportedAsThrottled() {
    Attempt a = attempt("198.51.100.50", "frank");
    for (int i = 0; i < 8; i++) {
      fail(a, Factor.PASSWORD);
    }
    ThrottleDecision d = throttle.check(a, Factor.PASSWORD);
    assertThat(d.action()).isEqualTo(ThrottleDecision.Action.REFUSE);
    assertThat(d.retryAfterSeconds()).isEqualTo(4);
    assertThat(ofKind(SecurityEventKind.LOGIN_THROTTLED)).hasSize(1);
  }

  @Test
  void aFailingStoreStillDelaysThePair() {
    BanStore down =
        new BanStore() {
          @Override
          public @Nullable Ban active(String address) {
            return null;
          }

          @Override
          public List<Ban> list() {
            return List.of();
          }

          @Override
          public CompletionStage<Ban> ban(
              String address, Duration b, Duration m, Duration r, String reason, String by) {
            return CompletableFuture.failedFuture(new IllegalStateException("down"));
          }

          @Override
          public CompletionStage<Boolean> unban(String address) {
            return CompletableFuture.failedFuture(new IllegalStateException("down"));
          }

          @Override
          public CompletionStage<Long> strike(String rule, String address, Duration window) {
            return CompletableFuture.failedFuture(new IllegalStateException("down"));
          }

          @Override
          public CompletionStage<Void> forgetStrikes(String rule, String address) {
            return CompletableFuture.failedFuture(new IllegalStateException("down"));
          }
        };
    LoginThrottle t =
        new LoginThrottle(settings, down, new SecurityEvents(List.of(events::add)), clock::get);
    Attempt a = attempt("198.51.100.60", "gina");
    assertThat(t.failed(a, Factor.PASSWORD).toCompletableFuture().join())
        .isEqualTo(ThrottleDecision.delay(settings.baseDelay()));
    assertThat(t.succeeded(a, Factor.PASSWORD).toCompletableFuture()).isCompleted();
  }
}
