package dev.bulwark.identity.password;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.blocking.BlockingExecutor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Argon2id in PHC strings: hostile stored hashes and passwords first, then the round trip, the
 * reference implementation's known answer, cost upgrades, the dummy hash's timing and the bounded
 * executor's refusal.
 */
class PasswordHasherTest {
  /** A cheap cost for tests that are not about the cost. */
  private static final Argon2Cost CHEAP = new Argon2Cost(1024, 1, 1);

  private final PasswordHasher cheap = new PasswordHasher(CHEAP);

  @Test
  void damagedOrHostileStoredHashesNeverMatchAndAskForARehash() {
    String good = cheap.hash("a perfectly fine password");
    List<String> bad =
        List.of(
            "",
            "plain text",
            good.replace("$argon2id$", "$argon2i$"),
            good.replace("v=19", "v=16"),
            good.replace("m=1024", "m=4294967295"),
            good.replace("m=1024", "m=01024"),
            good.replace("m=1024", "m=-1024"),
            good.replace("t=1", "t=1000000"),
            good.replace("p=1", "p=0"),
            good.replace(",t=1", ""),
            good + "$extra",
            good + "==",
            good.substring(0, good.lastIndexOf('$') + 1) + "!!notbase64!!",
            good.substring(0, good.lastIndexOf('$')) + "$" + "QUFB", // a 3-byte hash
            good + "A".repeat(600));
    for (String stored : bad) {
      assertThat(cheap.verify(stored, "a perfectly fine password").matches())
          .as(stored.length() > 80 ? stored.substring(0, 80) : stored)
          .isFalse();
      assertThat(cheap.needsRehash(stored)).isTrue();
    }
  }

  @Test
  void aTenKilobytePasswordIsNeverHashed() {
    String huge = "x".repeat(10 * 1024);
    assertThatThrownBy(() -> cheap.hash(huge))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most " + PasswordHasher.MAX_CHARS);
    String stored = cheap.hash(huge.substring(0, 100));
    assertThat(cheap.verify(stored, huge)).isEqualTo(PasswordVerification.NO_MATCH);
  }

  @Test
  void anUnknownUserNeverMatches() {
    assertThat(cheap.verify(null, "")).isEqualTo(PasswordVerification.NO_MATCH);
    assertThat(cheap.verify(null, "anything at all")).isEqualTo(PasswordVerification.NO_MATCH);
  }

  @Test
  void theDefaultCostIsOwaspsAndWrittenInThePhcFormat() {
    PasswordHasher hasher = new PasswordHasher(Argon2Cost.OWASP);
    String encoded = hasher.hash("correct horse battery staple");
    assertThat(encoded)
        .matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
    assertThat(hasher.verify(encoded, "correct horse battery staple"))
        .isEqualTo(new PasswordVerification(true, false));
    assertThat(hasher.verify(encoded, "correct horse battery stapler").matches()).isFalse();
    assertThat(hasher.hash("correct horse battery staple")).isNotEqualTo(encoded); // fresh salt
    assertThat(Argon2Cost.OWASP.atLeastOwasp()).isTrue();
  }

  @Test
  void aHashOfTheReferenceImplementationVerifies() {
    // phc-winner-argon2's own test vector: "password", salt "somesalt", m=64 MiB, t=2, p=1.
    String reference =
        "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
    PasswordVerification v = cheap.verify(reference, "password");
    assertThat(v.matches()).isTrue();
    assertThat(v.needsRehash()).isTrue(); // another cost, and an 8-byte salt
    assertThat(cheap.verify(reference, "Password").matches()).isFalse();
  }

  @Test
  void aHashOfAnotherCostIsUpgradedOnTheNextLogin() {
    String old = cheap.hash("an old but good password");
    PasswordHasher stronger = new PasswordHasher(new Argon2Cost(2048, 2, 1));
    assertThat(stronger.needsRehash(old)).isTrue();
    PasswordVerification v = stronger.verify(old, "an old but good password");
    assertThat(v).isEqualTo(new PasswordVerification(true, true));
    String upgraded = stronger.hash("an old but good password");
    assertThat(stronger.needsRehash(upgraded)).isFalse();
    assertThat(upgraded).contains("m=2048,t=2,p=1");
  }

  @Test
  void equivalentUnicodeFormsOfAPasswordMatch() {
    // NFKC: the ligature "ﬁ" is "fi", fullwidth digits are digits, "Å" composed or not is one.
    String stored = cheap.hash("ﬁrefly Å ２０２４ lantern");
    assertThat(cheap.verify(stored, "firefly A\u030a 2024 lantern").matches()).isTrue();
  }

  @Test
  void costsBelowOwaspsTableAreTold() {
    assertThat(new Argon2Cost(7 * 1024, 5, 1).atLeastOwasp()).isTrue();
    assertThat(new Argon2Cost(46 * 1024, 1, 1).atLeastOwasp()).isTrue();
    assertThat(new Argon2Cost(19 * 1024, 1, 1).atLeastOwasp()).isFalse();
    assertThat(new Argon2Cost(6 * 1024, 10, 1).atLeastOwasp()).isFalse();
    assertThatThrownBy(() -> new Argon2Cost(4, 1, 1)).hasMessageContaining("memory");
    assertThatThrownBy(() -> new Argon2Cost(1024, 0, 1)).hasMessageContaining("iterations");
    assertThatThrownBy(() -> new Argon2Cost(1024, 1, 17)).hasMessageContaining("parallelism");
  }

  @Test
  void anUnknownUserCostsTheSameAsAKnownOne() {
    PasswordHasher hasher = new PasswordHasher(new Argon2Cost(8 * 1024, 2, 1));
    String stored = hasher.hash("the known user's password");
    List<Long> known = new ArrayList<>();
    List<Long> unknown = new ArrayList<>();
    for (int i = 0; i < 3; i++) { // warm up
      hasher.verify(stored, "a wrong guess");
      hasher.verify(null, "a wrong guess");
    }
    for (int i = 0; i < 25; i++) {
      long t0 = System.nanoTime();
      hasher.verify(stored, "a wrong guess " + i);
      long t1 = System.nanoTime();
      hasher.verify(null, "a wrong guess " + i);
      long t2 = System.nanoTime();
      known.add(t1 - t0);
      unknown.add(t2 - t1);
    }
    Collections.sort(known);
    Collections.sort(unknown);
    // The distributions overlap: each median lies within the other's spread, widened by a half
    // for a shared machine's noise (the dummy path is the same Argon2 work, not an early return).
    long knownMedian = known.get(known.size() / 2);
    long unknownMedian = unknown.get(unknown.size() / 2);
    assertThat(unknownMedian).isBetween(known.get(0) / 2, known.get(known.size() - 1) * 3 / 2);
    assertThat(knownMedian).isBetween(unknown.get(0) / 2, unknown.get(unknown.size() - 1) * 3 / 2);
  }

  @Test
  void aFullExecutorRefusesHashingAtOnce() throws Exception {
    BlockingExecutor executor = new BlockingExecutor(1, 1, new SimpleMeterRegistry());
    CountDownLatch release = new CountDownLatch(1);
    try {
      executor.submit(() -> release.await(10, TimeUnit.SECONDS)); // the thread
      executor.submit(() -> release.await(10, TimeUnit.SECONDS)); // the queue
      var verified = cheap.verifyAsync(executor, null, "a guess");
      var hashed = cheap.hashAsync(executor, "a new password");
      assertThat(verified.toCompletableFuture()).isCompletedExceptionally();
      assertThatThrownBy(() -> verified.toCompletableFuture().join())
          .isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(BlockingExecutor.Refused.class);
      assertThat(hashed.toCompletableFuture()).isCompletedExceptionally();
    } finally {
      release.countDown();
      executor.close();
    }
    BlockingExecutor free = new BlockingExecutor(1, 4, new SimpleMeterRegistry());
    try {
      String stored =
          cheap.hashAsync(free, "a new password").toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(
              cheap
                  .verifyAsync(free, stored, "a new password")
                  .toCompletableFuture()
                  .get(10, TimeUnit.SECONDS)
                  .matches())
          .isTrue();
    } finally {
      free.close();
    }
  }
}
