package dev.bulwark.observe;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes log lines to standard output from one background thread, so event loops never block on the
 * terminal or a pipe; the queue is bounded and lines that do not fit are counted as dropped rather
 * than slowing the gateway. Writers never wake the thread: it polls the queue every few
 * milliseconds while lines come and sleeps longer when they stop, so a busy gateway pays no thread
 * hand-off per line (a wake-up per line cost more CPU than formatting the line).
 */
public final class StdoutLogSink implements LogSink, AutoCloseable {
  private static final int CAPACITY = 65_536;
  private static final long FLUSH_NANOS = 100_000_000L;
  private static final long BUSY_PARK_NANOS = 2_000_000L;
  private static final long IDLE_PARK_NANOS = 50_000_000L;

  private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final AtomicLong dropped = new AtomicLong();
  private final Thread writer;
  private final OutputStream out;
  private volatile boolean closed;

  public StdoutLogSink() {
    this(new FileOutputStream(FileDescriptor.out));
  }

  StdoutLogSink(OutputStream target) {
    this.out = new BufferedOutputStream(target, 64 * 1024);
    this.writer = new Thread(this::drain, "bulwark-log-writer");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public void write(String jsonLine) {
    if (!queue.offer(jsonLine)) {
      dropped.incrementAndGet();
      LockSupport.unpark(writer);
    }
  }

  @Override
  public long dropped() {
    return dropped.get();
  }

  /**
   * Writes queued lines in batches and flushes at most every {@link #FLUSH_NANOS} while lines keep
   * coming (and at once when the queue runs dry), so a busy gateway makes a few write calls a
   * second rather than one per line.
   */
  private void drain() {
    List<String> batch = new ArrayList<>(1024);
    long lastFlush = System.nanoTime();
    long lastLine = lastFlush;
    boolean pending = false;
    while ((!closed || !queue.isEmpty()) && !Thread.currentThread().isInterrupted()) {
      int n = queue.drainTo(batch, 1024);
      long now = System.nanoTime();
      try {
        for (String line : batch) {
          out.write(line.getBytes(StandardCharsets.UTF_8));
          out.write('\n');
        }
        if (n > 0) {
          pending = true;
          lastLine = now;
        }
        if (pending && (n == 0 || now - lastFlush > FLUSH_NANOS)) {
          lastFlush = now;
          pending = false;
          out.flush();
        }
      } catch (IOException e) {
        // The batch (or what was buffered) is lost; a broken output must not make this loop spin,
        // so the failure is counted and the writer still waits below.
        dropped.incrementAndGet();
      }
      batch.clear();
      if (n < 1024) {
        // Poll briskly while lines come, slowly once they stopped a second ago.
        LockSupport.parkNanos(
            this, now - lastLine < 1_000_000_000L ? BUSY_PARK_NANOS : IDLE_PARK_NANOS);
      }
    }
  }

  /** Writes what is queued and stops the writer. */
  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(writer);
    try {
      writer.join(2000);
      out.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // Standard output is gone; nothing left to report to.
    }
  }
}
