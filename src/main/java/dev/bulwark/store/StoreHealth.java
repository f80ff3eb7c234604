package dev.bulwark.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The health of one store backend: whether its last operation succeeded, and its failures, counted
 * in a metric and logged at most once per interval with how many there were; once failures were
 * logged, the next success is logged as the store being reachable again.
 */
public final class StoreHealth {
  private static final Logger LOG = Logger.getLogger(StoreHealth.class.getName());
  private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

  private final String store;
  private final Counter failures;
  private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
  private final AtomicLong sinceLog = new AtomicLong();
  private final AtomicBoolean reported = new AtomicBoolean();
  private volatile boolean up = true;

  /** Counts the failures of {@code store} in {@code bulwark_store_failures_total}. */
  public StoreHealth(String store, MeterRegistry registry) {
    this.store = store;
    this.failures =
        Counter.builder("bulwark_store_failures")
            .description("Store operations that failed (the policy's on-store-failure applied)")
            .tag("store", store)
            .register(registry);
  }

  /** Returns the health of a backend that exports no metric (the embedded store never fails). */
  public static StoreHealth unmetered(String store) {
    return new StoreHealth(store, new SimpleMeterRegistry());
  }

  /** Records a failed operation. */
  public void failed(String operation, Throwable cause) {
    up = false;
    failures.increment();
    long n = sinceLog.incrementAndGet();
    long now = System.nanoTime();
    long last = lastLog.get();
    if (now - last >= LOG_INTERVAL_NANOS && lastLog.compareAndSet(last, now)) {
      sinceLog.addAndGet(-n);
      reported.set(true);
      LOG.warning(
          store
              + " store unavailable: "
              + n
              + " failed operations in the last interval (last: "
              + operation
              + ", "
              + cause.getClass().getSimpleName()
              + "); each policy applies its on-store-failure");
    }
  }

  /**
   * Records a successful operation; logs the recovery once after failures were logged (a failure
   * here and there, such as a timeout under load, is in the metric, not a log line each time).
   */
  public void ok() {
    if (!up) {
      up = true;
    }
    if (reported.get() && reported.compareAndSet(true, false)) {
      LOG.info(store + " store reachable again");
    }
  }

  /** Returns whether the backend's last operation succeeded (true before the first one). */
  public boolean up() {
    return up;
  }

  /** Returns the number of failures counted so far. */
  public double failures() {
    return failures.count();
  }
}
