package dev.bulwark.audit.alert;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition, polling, and fails with a message when it does not come in time. */
final class Until {
  private Until() {}

  static void until(Duration atMost, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + atMost.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + atMost);
      }
      Thread.sleep(20);
    }
  }
}
