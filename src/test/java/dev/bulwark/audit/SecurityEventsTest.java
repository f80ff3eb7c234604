package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.access.AccessRule;
import dev.bulwark.access.RouteAccess;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.identity.Caller;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import dev.bulwark.policy.authz.AuthzPolicy;
import dev.bulwark.testing.FakeExchange;
import dev.bulwark.testing.FakeExchange.Outcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The fan-out: every sink in order, a failing sink isolated, repeats thinned for all sinks. */
class SecurityEventsTest {
  private static final long SECOND = 1_000_000_000L;

  private static final SecurityEvent DENIED =
      SecurityEvent.accessDenied("r1", "192.0.2.1", "api", "alice", "GET", "role:admin");
  private static final SecurityEvent OUTAGE =
      SecurityEvent.refused(
          SecurityEventKind.UPSTREAM_FAILURE, "r2", "192.0.2.1", "api", 502, "refused");

  private final List<SecurityEvent> first = new CopyOnWriteArrayList<>();
  private final List<SecurityEvent> second = new CopyOnWriteArrayList<>();
  private final List<String> order = new ArrayList<>();

  private static SecurityEventSink throwing() {
    return e -> {
      throw new IllegalStateException("disk full");
    };
  }

  @Test
  void everyEventReachesEverySinkInOrder() {
    SecurityEvents events =
        SecurityEvents.of(
            e -> {
              order.add("first");
              first.add(e);
            },
            e -> {
              order.add("second");
              second.add(e);
            });
    events.publish(DENIED);
    assertThat(first).containsExactly(DENIED);
    assertThat(second).containsExactly(DENIED);
    assertThat(order).containsExactly("first", "second");
  }

  @Test
  void aSinkThatThrowsLosesOnlyThatEventAndTheOtherSinksStillGetIt() {
    SecurityEvents events = SecurityEvents.of(first::add, throwing(), second::add);
    events.publish(DENIED);
    events.publish(OUTAGE);
    assertThat(first).containsExactly(DENIED, OUTAGE);
    assertThat(second).containsExactly(DENIED, OUTAGE);
    assertThat(events.sinkFailures()).isEqualTo(2);
  }

  @Test
  void aSinkThatThrowsDoesNotBreakTheRequest() {
    SecurityEvents events = SecurityEvents.of(throwing(), first::add);
    Caller plain =
        new Caller("alice", "test", Set.of(), Set.of(), Set.of(), Map.of(), Long.MAX_VALUE);
    AuthzPolicy authz =
        new AuthzPolicy(
            "api",
            new RouteAccess(false, true, List.of(), new AccessRule.Role("admin"), Map.of()),
            List.of(),
            events);
    FakeExchange fx = FakeExchange.get("/x").run(authenticatedAs(plain), authz);
    assertThat(fx.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(fx.status()).isEqualTo(403);
    assertThat(first)
        .singleElement()
        .extracting(SecurityEvent::kind)
        .isEqualTo(SecurityEventKind.ACCESS_DENIED);
  }

  @Test
  void repeatsOfARepeatableKindAreThinnedOnceForEverySink() {
    long[] now = {0};
    SecurityEvents events = new SecurityEvents(List.of(first::add, second::add), () -> now[0]);
    events.publish(OUTAGE);
    for (int i = 0; i < 5; i++) {
      now[0] += SECOND / 10;
      events.publish(OUTAGE);
    }
    assertThat(first).hasSize(1);
    now[0] += SECOND;
    events.publish(OUTAGE);
    assertThat(first).extracting(SecurityEvent::suppressed).containsExactly(0L, 5L);
    assertThat(second).isEqualTo(first);
  }

  @Test
  void repeatsWithAnotherRouteStatusOrReasonAreNotIdentical() {
    SecurityEvents events = new SecurityEvents(List.of(first::add), () -> 0);
    events.publish(OUTAGE);
    events.publish(
        SecurityEvent.refused(
            SecurityEventKind.UPSTREAM_FAILURE, "r3", "192.0.2.1", "api", 504, "refused"));
    events.publish(
        SecurityEvent.refused(
            SecurityEventKind.UPSTREAM_FAILURE, "r4", "192.0.2.1", "other", 502, "refused"));
    events.publish(
        SecurityEvent.refused(
            SecurityEventKind.UPSTREAM_FAILURE, "r5", "192.0.2.1", "api", 502, "timed out"));
    events.publish(
        SecurityEvent.refused(
            SecurityEventKind.REQUEST_REFUSED, "r6", "192.0.2.1", "api", 502, "refused"));
    assertThat(first).hasSize(5);
  }

  @Test
  void eventsOfOtherKindsAreNeverThinned() {
    SecurityEvents events = new SecurityEvents(List.of(first::add), () -> 0);
    for (int i = 0; i < 3; i++) {
      events.publish(DENIED);
      events.publish(SecurityEvent.ban("r", "192.0.2.7", "rule", Instant.EPOCH, 0, "reason"));
    }
    assertThat(first).hasSize(6);
  }

  @Test
  void eachFactoryMakesOnlyItsOwnKinds() {
    assertThatThrownBy(
            () ->
                SecurityEvent.refused(
                    SecurityEventKind.BAN, "r", "192.0.2.1", "api", 403, "reason"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kind");
    assertThatThrownBy(
            () ->
                SecurityEvent.credentialRefused(
                    SecurityEventKind.ACCESS_DENIED, "r", "192.0.2.1", "api", "reason"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                SecurityEvent.refused(
                    SecurityEventKind.REQUEST_REFUSED, "r", "192.0.2.1", "api", -1, "reason"))
        .hasMessage("status: -1 (expected: >= 0)");
  }

  @Test
  void theDetailOfEachKindIsTyped() {
    SecurityEvent ban =
        SecurityEvent.ban("r", "192.0.2.7", "auth-failures", Instant.EPOCH, 3, "too many");
    assertThat(ban.detail()).isEqualTo(new EventDetail.BanMade("auth-failures", Instant.EPOCH, 3));
    assertThat(DENIED.detail()).isEqualTo(new EventDetail.AccessRule("GET", "role:admin"));
    assertThat(OUTAGE.detail()).isEqualTo(EventDetail.none());
    assertThat(OUTAGE.status()).isEqualTo(502);
  }

  /** The authentication stage as far as authorization cares: it leaves a caller. */
  private static Policy authenticatedAs(Caller caller) {
    return new Policy() {
      @Override
      public Stage stage() {
        return Stage.AUTHN;
      }

      @Override
      public String name() {
        return "authn";
      }

      @Override
      public void onRequest(Exchange exchange) {
        exchange.attr(Caller.KEY, caller);
        exchange.authenticated(caller.subject());
        exchange.proceed();
      }
    };
  }
}
