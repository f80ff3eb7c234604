package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class RepeatedEventsTest {
  private static final long SECOND = 1_000_000_000L;
  private static final SecurityEvent E =
      SecurityEvent.refused(
          SecurityEventKind.UPSTREAM_FAILURE, "r", "192.0.2.1", "api", 502, "refused");

  private final List<SecurityEvent> closed = new ArrayList<>();

  /** Returns -1 when held back, else the count the event let through carries. */
  private long admit(RepeatedEvents r, String run, long now) {
    @Nullable SecurityEvent let = r.admit(run, E, now, closed::add);
    return let == null ? -1 : let.suppressed();
  }

  @Test
  void theFirstOfARunPassesThenOnePerWindowWithTheCountHeldBack() {
    RepeatedEvents r = new RepeatedEvents(SECOND);
    assertThat(admit(r, "a", 0)).isZero();
    assertThat(admit(r, "a", 1)).isEqualTo(-1);
    assertThat(admit(r, "a", SECOND / 2)).isEqualTo(-1);
    assertThat(admit(r, "a", SECOND - 1)).isEqualTo(-1);
    assertThat(admit(r, "a", SECOND)).isEqualTo(3);
    assertThat(admit(r, "a", SECOND + 1)).isEqualTo(-1);
    assertThat(admit(r, "a", 5 * SECOND)).isEqualTo(1);
    assertThat(admit(r, "a", 9 * SECOND)).isZero();
    assertThat(closed).isEmpty();
  }

  @Test
  void kindsAreCountedApart() {
    RepeatedEvents r = new RepeatedEvents(SECOND);
    assertThat(admit(r, "a", 0)).isZero();
    assertThat(admit(r, "b", 1)).isZero();
    assertThat(admit(r, "a", 2)).isEqualTo(-1);
    assertThat(admit(r, "b", 3)).isEqualTo(-1);
  }

  @Test
  void tooManyRunsCloseThemAllWithTheirCountsInsteadOfGrowing() {
    RepeatedEvents r = new RepeatedEvents(SECOND);
    for (int i = 0; i < RepeatedEvents.MAX_KINDS; i++) {
      assertThat(admit(r, "k" + i, 0)).isZero();
    }
    assertThat(admit(r, "k0", 1)).isEqualTo(-1);
    assertThat(admit(r, "k0", 2)).isEqualTo(-1);
    assertThat(admit(r, "new", 3)).isZero(); // closes every run: k0 hands on its two held back
    assertThat(closed).singleElement().extracting(SecurityEvent::suppressed).isEqualTo(1L);
    assertThat(r.size()).isEqualTo(1);
    assertThat(admit(r, "k0", 4)).isZero();
  }

  @Test
  void aFlushForgetsRunsQuietForAWindow() {
    RepeatedEvents r = new RepeatedEvents(SECOND);
    for (int i = 0; i < 100; i++) {
      admit(r, "k" + i, 0);
    }
    r.flush(SECOND / 2, false, closed::add);
    assertThat(r.size()).isEqualTo(100);
    r.flush(SECOND, false, closed::add);
    assertThat(r.size()).isZero();
    assertThat(closed).isEmpty();
  }
}
