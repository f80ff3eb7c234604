package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RepeatedEventsTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void theFirstOfARunPassesThenOnePerWindowWithTheCountHeldBack() {
    RepeatedEvents r = new RepeatedEvents(SECOND);
    assertThat(r.admit("a", 0)).isZero();
    assertThat(r.admit("a", 1)).isEqualTo(-1);
    assertThat(r.admit("a", SECOND / 2)).isEqualTo(-1);
    assertThat(r.admit("a", SECOND - 1)).isEqualTo(-1);
    assertThat(r.admit("a", SECOND)).isEqualTo(3);
    assertThat(r.admit("a", SECOND + 1)).isEqualTo(-1);
    assertThat(r.admit("a", 5 * SECOND)).isEqualTo(1);
    assertThat(r.admit("a", 9 * SECOND)).isZero();
  }

  @Test
  void kindsAreCountedApart() {
    RepeatedEvents r = new RepeatedEvents(SECOND);
    assertThat(r.admit("a", 0)).isZero();
    assertThat(r.admit("b", 1)).isZero();
    assertThat(r.admit("a", 2)).isEqualTo(-1);
    assertThat(r.admit("b", 3)).isEqualTo(-1);
  }

  @Test
  void tooManyKindsStartTheCountsOverInsteadOfGrowing() {
    RepeatedEvents r = new RepeatedEvents(SECOND);
    for (int i = 0; i < RepeatedEvents.MAX_KINDS; i++) {
      assertThat(r.admit("k" + i, 0)).isZero();
    }
    assertThat(r.admit("k0", 1)).isEqualTo(-1);
    assertThat(r.admit("new", 2)).isZero(); // clears: k0 is new again
    assertThat(r.admit("k0", 3)).isZero();
  }
}
