package dev.bulwark.cli;

import static java.util.Objects.requireNonNull;

import dev.bulwark.observe.StdoutLogSink;
import dev.bulwark.server.Gateway;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The JVM shutdown hook of a running gateway, installed before anything starts: a SIGTERM that
 * comes while the gateway is still starting waits for the start to end (bounded) and then closes
 * whatever started, so that in-flight requests drain and the audit trail is flushed and signed
 * however early the signal came.
 */
final class ShutdownHook {
  /** How long a SIGTERM waits for a start under way before giving up on closing it. */
  static final long START_WAIT_SECONDS = 60;

  private final StdoutLogSink sink;
  private final PrintStream err;
  private final CountDownLatch handedOver = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread thread;
  private volatile @Nullable Gateway gateway;

  private ShutdownHook(StdoutLogSink sink, PrintStream err) {
    this.sink = requireNonNull(sink, "sink");
    this.err = requireNonNull(err, "err");
    this.thread = new Thread(this::run, "bulwark-shutdown");
  }

  /** Installs the hook; call before the gateway starts. */
  static ShutdownHook install(StdoutLogSink sink) {
    ShutdownHook h = new ShutdownHook(sink, System.err);
    Runtime.getRuntime().addShutdownHook(h.thread);
    return h;
  }

  /** Hands over the started gateway: the hook closes it on SIGTERM. */
  void started(Gateway started) {
    gateway = requireNonNull(started, "started");
    handedOver.countDown();
  }

  /** Says nothing started (the start failed and closed what it opened); the hook goes. */
  void nothingStarted() {
    handedOver.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(thread);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs already and finds no gateway
    }
  }

  /** Waits until the hook has closed the gateway (that is, until the process is told to stop). */
  void await() throws InterruptedException {
    stopped.await();
  }

  private void run() {
    try {
      if (!handedOver.await(START_WAIT_SECONDS, TimeUnit.SECONDS)) {
        err.println("bulwark: stopping while still starting; not closed cleanly");
      }
      Gateway g = gateway;
      if (g != null) {
        g.close();
        err.println("bulwark: stopped");
        err.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      sink.close();
      stopped.countDown();
    }
  }
}
