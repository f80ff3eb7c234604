package dev.bulwark.blocking;

import static java.util.Objects.requireNonNull;

import dev.bulwark.exchange.Denial;
import dev.bulwark.exchange.Exchange;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Runs blocking work off the event loops on a fixed number of threads behind a bounded queue. When
 * every thread is busy and the queue is full, work is refused at once (never queued without bound,
 * never run on the caller's thread): {@link #run} then says {@link Submission#REFUSED} and {@link
 * #runOrRefuse} answers the exchange {@code 503}. A completion for an exchange comes back through
 * {@link Exchange#resume}, so it runs on the exchange's event loop, and not at all once the
 * exchange has been answered (a timeout, the client gone). Shared by every event loop; thread-safe.
 */
public final class BlockingExecutor implements AutoCloseable {
  /** The answer to an exchange whose work the full executor refused. */
  public static final Denial FULL =
      Denial.of(503, "service unavailable", "blocking work refused: every thread busy, queue full");

  /** Whether work was taken. */
  public enum Submission {
    /** Queued or running; its completion will come. */
    ACCEPTED,
    /** The queue was full: nothing will run and no completion will come. */
    REFUSED
  }

  /** Receives the result of blocking work, on the exchange's event loop. */
  @FunctionalInterface
  public interface Completion<T> {
    /** Receives the work's result, or the exception it threw ({@code result} is then null). */
    void complete(Exchange exchange, @Nullable T result, @Nullable Throwable failure);
  }

  /** The failure of {@link #submit} when the queue is full. */
  public static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refused(int threads, int queue) {
      super(
          "blocking work refused: all "
              + threads
              + " threads busy and "
              + queue
              + " tasks queued (server.blocking)",
          null,
          false,
          false);
    }
  }

  private final int threads;
  private final int queueSize;
  private final ThreadPoolExecutor pool;
  private final Counter rejected;
  private final Counter completed;

  /**
   * An executor of {@code threads} threads and a queue of {@code queue} tasks, reporting to {@code
   * registry}.
   */
  public BlockingExecutor(int threads, int queue, MeterRegistry registry) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " (expected: > 0)");
    }
    if (queue < 1) {
      throw new IllegalArgumentException("queue: " + queue + " (expected: > 0)");
    }
    requireNonNull(registry, "registry");
    this.threads = threads;
    this.queueSize = queue;
    ArrayBlockingQueue<Runnable> tasks = new ArrayBlockingQueue<>(queue);
    this.pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            60,
            TimeUnit.SECONDS,
            tasks,
            new Named(),
            new ThreadPoolExecutor.AbortPolicy());
    pool.allowCoreThreadTimeOut(true);
    Gauge.builder("bulwark_blocking_queue_depth", tasks, ArrayBlockingQueue::size)
        .description("Blocking tasks waiting for a thread")
        .register(registry);
    Gauge.builder("bulwark_blocking_active_threads", pool, ThreadPoolExecutor::getActiveCount)
        .description("Threads running blocking work")
        .register(registry);
    Gauge.builder("bulwark_blocking_queue_capacity", () -> queue)
        .description("Blocking tasks that may wait (server.blocking.queue)")
        .register(registry);
    this.rejected =
        Counter.builder("bulwark_blocking_rejected")
            .description("Blocking tasks refused because every thread was busy and the queue full")
            .register(registry);
    this.completed =
        Counter.builder("bulwark_blocking_completed")
            .description("Blocking tasks finished (returned or threw)")
            .register(registry);
  }

  /**
   * Runs {@code work} on a blocking thread, then {@code then} on the exchange's event loop (unless
   * the exchange has been answered meanwhile); says whether the work was taken.
   */
  public <T> Submission run(Exchange exchange, Callable<T> work, Completion<T> then) {
    requireNonNull(exchange, "exchange");
    requireNonNull(work, "work");
    requireNonNull(then, "then");
    try {
      pool.execute(
          () -> {
            T result = null;
            Throwable failure = null;
            try {
              result = work.call();
            } catch (Exception | Error e) { // handed to the continuation, which answers
              failure = e;
            }
            completed.increment();
            T r = result;
            Throwable f = failure;
            exchange.resume(
                () -> {
                  if (!exchange.finishedOrResponded()) {
                    then.complete(exchange, r, f);
                  }
                });
          });
      return Submission.ACCEPTED;
    } catch (RejectedExecutionException full) {
      rejected.increment();
      return Submission.REFUSED;
    }
  }

  /** Like {@link #run}, but a refusal answers the exchange with {@link #FULL} ({@code 503}). */
  public <T> void runOrRefuse(Exchange exchange, Callable<T> work, Completion<T> then) {
    if (run(exchange, work, then) == Submission.REFUSED) {
      exchange.deny(FULL);
    }
  }

  /**
   * Runs {@code work} on a blocking thread for a caller that has no exchange (a store); the stage
   * completes on that thread, or at once exceptionally with {@link Refused} when the queue is full.
   */
  public <T> CompletionStage<T> submit(Callable<T> work) {
    requireNonNull(work, "work");
    CompletableFuture<T> done = new CompletableFuture<>();
    try {
      pool.execute(
          () -> {
            try {
              done.complete(work.call());
            } catch (Exception | Error e) {
              done.completeExceptionally(e);
            }
            completed.increment();
          });
    } catch (RejectedExecutionException full) {
      rejected.increment();
      done.completeExceptionally(new Refused(threads, queueSize));
    }
    return done;
  }

  /** Returns how many tasks wait for a thread. */
  public int queued() {
    return pool.getQueue().size();
  }

  /** Stops taking work; queued and running work still finishes. */
  @Override
  public void close() {
    pool.shutdown();
  }

  /** Daemon threads named {@code bulwark-blocking-N}: a stuck task never keeps the JVM alive. */
  private static final class Named implements ThreadFactory {
    private final AtomicInteger next = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "bulwark-blocking-" + next.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }
}
