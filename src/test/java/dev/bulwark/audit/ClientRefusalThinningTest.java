package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Floods of refused credentials: thinned per client address, route and reason, one event per window
 * carrying how many were held back, and every held-back one counted once the window ends.
 */
class ClientRefusalThinningTest {
  private static final long MILLI = 1_000_000L;
  private static final long SECOND = 1_000_000_000L;

  private final List<SecurityEvent> seen = new CopyOnWriteArrayList<>();
  private final long[] now = {0};
  private final SecurityEvents events = new SecurityEvents(List.of(seen::add), () -> now[0]);

  private static SecurityEvent badToken(String client, int i) {
    return SecurityEvent.credentialRefused(
        SecurityEventKind.TOKEN_INVALID, "req-" + i, client, "api", "not a JWT");
  }

  private static long counted(List<SecurityEvent> events) {
    return events.stream().mapToLong(e -> 1 + e.suppressed()).sum();
  }

  @Test
  void tenThousandBadTokensFromOneAddressAreAFewEventsThatCountThemAll() {
    for (int i = 0; i < 10_000; i++) {
      now[0] += MILLI; // 10 s of 1,000 requests a second
      events.publish(badToken("203.0.113.5", i));
      if (i % 1000 == 999) {
        events.flushRepeats(); // the gateway's once-a-second timer
      }
    }
    now[0] += 2 * SECOND;
    events.flushRepeats();
    assertThat(seen).hasSizeBetween(10, 22);
    assertThat(counted(seen)).isEqualTo(10_000);
    assertThat(seen).allSatisfy(e -> assertThat(e.client()).isEqualTo("203.0.113.5"));
    assertThat(seen.get(0).suppressed()).isZero();
    assertThat(seen.get(0).requestId()).isEqualTo("req-0");
    // the count held back is carried by the last request held back, a real one
    assertThat(seen.get(seen.size() - 1).requestId()).isEqualTo("req-9999");
  }

  @Test
  void fiftyAddressesEachKeepTheirOwnEventsAndCounts() {
    for (int round = 0; round < 200; round++) {
      now[0] += MILLI;
      for (int a = 0; a < 50; a++) {
        events.publish(badToken("198.51.100." + a, round));
      }
    }
    events.flushAllRepeats();
    Map<String, Long> perAddress = new HashMap<>();
    Map<String, Integer> recordsPerAddress = new HashMap<>();
    for (SecurityEvent e : seen) {
      perAddress.merge(e.client(), 1 + e.suppressed(), Long::sum);
      recordsPerAddress.merge(e.client(), 1, Integer::sum);
    }
    assertThat(perAddress).hasSize(50).allSatisfy((a, n) -> assertThat(n).isEqualTo(200L));
    assertThat(recordsPerAddress).allSatisfy((a, n) -> assertThat(n).isBetween(1, 2));
  }

  @Test
  void aShortBurstThatStopsIsCountedWhenItsWindowEnds() {
    for (int i = 0; i < 5; i++) {
      now[0] += 10 * MILLI;
      events.publish(badToken("203.0.113.5", i));
    }
    assertThat(seen).hasSize(1);
    events.flushRepeats(); // the window has not ended yet
    assertThat(seen).hasSize(1);
    now[0] += SECOND;
    events.flushRepeats();
    assertThat(seen).hasSize(2);
    assertThat(seen.get(1).suppressed()).isEqualTo(3);
    assertThat(seen.get(1).requestId()).isEqualTo("req-4");
    assertThat(counted(seen)).isEqualTo(5);
    now[0] += 5 * SECOND;
    events.flushRepeats();
    assertThat(seen).hasSize(2); // nothing more held back: no empty record
  }

  @Test
  void kindRouteReasonAndViaAreEachTheirOwnRun() {
    events.publish(badToken("203.0.113.5", 1));
    events.publish(badToken("203.0.113.6", 2));
    events.publish(
        SecurityEvent.credentialRefused(
            SecurityEventKind.TOKEN_EXPIRED, "r3", "203.0.113.5", "api", "not a JWT"));
    events.publish(
        SecurityEvent.credentialRefused(
            SecurityEventKind.TOKEN_INVALID, "r4", "203.0.113.5", "other", "not a JWT"));
    events.publish(
        SecurityEvent.credentialRefused(
            SecurityEventKind.TOKEN_INVALID, "r5", "203.0.113.5", "api", "bad signature"));
    events.publish(badToken("203.0.113.5", 6).withVia("forward-auth"));
    events.publish(SecurityEvent.certificateRefused("r7", "203.0.113.5", "api", 496, "none"));
    events.publish(SecurityEvent.certificateRefused("r8", "203.0.113.5", "api", 495, "none"));
    assertThat(seen).hasSize(8);
    events.publish(badToken("203.0.113.5", 9));
    events.publish(SecurityEvent.certificateRefused("r10", "203.0.113.5", "api", 495, "none"));
    events.publish(
        SecurityEvent.credentialRefused(
            SecurityEventKind.SIGNATURE_INVALID, "r11", "203.0.113.5", "api", "no signature"));
    events.publish(
        SecurityEvent.credentialRefused(
            SecurityEventKind.SIGNATURE_INVALID, "r12", "203.0.113.5", "api", "no signature"));
    assertThat(seen).hasSize(9);
  }

  @Test
  void otherKindsAreStillNeverThinned() {
    for (int i = 0; i < 3; i++) {
      events.publish(
          SecurityEvent.accessDenied("r" + i, "203.0.113.5", "api", "alice", "GET", "role:x"));
    }
    assertThat(seen).hasSize(3);
  }

  @Test
  void moreRunsThanTheTableHoldsLoseNoCount() {
    int addresses = RepeatedEvents.MAX_KINDS + 500;
    for (int round = 0; round < 3; round++) {
      for (int a = 0; a < addresses; a++) {
        events.publish(badToken("10.0." + (a >> 8) + "." + (a & 255), a));
      }
    }
    events.flushAllRepeats();
    assertThat(counted(seen)).isEqualTo(3L * addresses);
  }

  @Test
  void repeatableKindsGetTheirHeldCountOnceTheWindowEndsToo() {
    SecurityEvent outage =
        SecurityEvent.refused(
            SecurityEventKind.UPSTREAM_FAILURE, "r", "192.0.2.1", "api", 502, "refused");
    for (int i = 0; i < 4; i++) {
      events.publish(outage);
    }
    now[0] += SECOND;
    events.flushRepeats();
    assertThat(seen).extracting(SecurityEvent::suppressed).containsExactly(0L, 2L);
    assertThat(counted(seen)).isEqualTo(4);
  }
}
