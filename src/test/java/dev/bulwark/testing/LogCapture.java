package dev.bulwark.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Captures the application log lines (java.util.logging) of one logger and its children, as {@code
 * LEVEL message}, while open.
 */
public final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final @Nullable Level previous;
  private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          lines.add(r.getLevel().getName() + " " + r.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private LogCapture(String name) {
    this.logger = Logger.getLogger(name);
    this.previous = logger.getLevel();
    logger.setLevel(Level.INFO);
    logger.addHandler(handler);
  }

  /** Starts capturing the logger {@code name} (a class or package name). */
  public static LogCapture of(String name) {
    return new LogCapture(name);
  }

  /** Returns the lines captured so far. */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** Waits up to {@code timeout} for a line containing every fragment and returns it. */
  public String await(Duration timeout, String... fragments) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    do {
      for (String l : lines) {
        boolean all = true;
        for (String f : fragments) {
          all &= l.contains(f);
        }
        if (all) {
          return l;
        }
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("no log line with " + List.of(fragments) + " in " + lines);
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
    logger.setLevel(previous);
  }
}
