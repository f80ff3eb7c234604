package dev.bulwark.probe;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Closes a socket when its deadline passes, so no step can outlive the timeout however slowly a
 * hostile server trickles bytes or refuses to read; socket timeouts alone only bound each read.
 */
final class Deadline implements AutoCloseable {
  private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

  private final AtomicBoolean expired = new AtomicBoolean();
  private final ScheduledFuture<?> task;

  private Deadline(Socket socket, long timeoutMillis) {
    this.task =
        WATCHDOG.schedule(
            () -> {
              expired.set(true);
              try {
                socket.close();
              } catch (IOException ignored) {
                // the socket is being abandoned; a failed close changes nothing
              }
            },
            timeoutMillis,
            TimeUnit.MILLISECONDS);
  }

  /** Starts a deadline that closes the socket after the given time unless closed first. */
  static Deadline start(Socket socket, long timeoutMillis) {
    return new Deadline(socket, timeoutMillis);
  }

  /** Returns whether the deadline passed and the socket was closed because of it. */
  boolean expired() {
    return expired.get();
  }

  @Override
  public void close() {
    task.cancel(false);
  }

  private static ScheduledThreadPoolExecutor watchdog() {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "bulwark-probe-deadline");
              thread.setDaemon(true);
              return thread;
            });
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }
}
