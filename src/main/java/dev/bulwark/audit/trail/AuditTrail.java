package dev.bulwark.audit.trail;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.DurableSink;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sealed.RecordId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The durable audit trail as a security event sink: each event is queued (never blocking the
 * caller; a full queue drops the event, counts it and logs it at most every ten seconds) and one
 * writer thread appends it as a sealed, hash-chained record, forces each batch to disk, and signs a
 * checkpoint every {@code checkpointEvery} records or {@code checkpointInterval}, and on close.
 */
public final class AuditTrail implements DurableSink, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(AuditTrail.class.getName());
  private static final long DROP_LOG_MILLIS = 10_000;
  private static final int BATCH = 256;

  /**
   * Where and how the trail is written.
   *
   * @param file the trail's file
   * @param checkpointEvery records between signed checkpoints
   * @param checkpointInterval longest time a record waits for a checkpoint
   * @param queue events held for the writer before new ones are dropped
   */
  public record Settings(Path file, int checkpointEvery, Duration checkpointInterval, int queue) {
    public Settings {
      requireNonNull(file, "file");
      requireNonNull(checkpointInterval, "checkpointInterval");
      if (checkpointEvery < 1) {
        throw new IllegalArgumentException(
            "checkpointEvery: " + checkpointEvery + " (expected: > 0)");
      }
      if (queue < 1) {
        throw new IllegalArgumentException("queue: " + queue + " (expected: > 0)");
      }
    }
  }

  private record Pending(SecurityEvent event, @Nullable CompletableFuture<Void> written) {}

  private final Settings settings;
  private final Keyring keyring;
  private final CheckpointKey key;
  private final Clock clock;
  private final TrailFile file;
  private final BlockingQueue<Pending> queue;
  private final Counter dropped;
  private final Counter written;
  private final AtomicLong lastDropLog = new AtomicLong(Long.MIN_VALUE / 2);
  private final Thread writer;
  private volatile boolean running = true;
  private int sinceCheckpoint;
  private long lastCheckpointMillis;

  private AuditTrail(
      Settings settings,
      Keyring keyring,
      CheckpointKey key,
      Clock clock,
      TrailFile file,
      MeterRegistry registry) {
    this.settings = settings;
    this.keyring = keyring;
    this.key = key;
    this.clock = clock;
    this.file = file;
    this.queue = new ArrayBlockingQueue<>(settings.queue());
    this.dropped = registry.counter("bulwark.audit.dropped");
    this.written = registry.counter("bulwark.audit.written");
    this.lastCheckpointMillis = clock.millis();
    this.writer = new Thread(this::writeLoop, "bulwark-audit-writer");
    writer.setDaemon(true);
  }

  /**
   * Opens the trail (blocking: start-up only) and starts its writer thread.
   *
   * @throws IllegalStateException or {@link java.io.UncheckedIOException} with one line naming the
   *     file when it cannot be used
   */
  public static AuditTrail open(
      Settings settings, Keyring keyring, CheckpointKey key, MeterRegistry registry) {
    return open(settings, keyring, key, registry, Clock.systemUTC());
  }

  static AuditTrail open(
      Settings settings, Keyring keyring, CheckpointKey key, MeterRegistry registry, Clock clock) {
    TrailFile f = TrailFile.open(settings.file(), key.publicText(), clock.instant().toString());
    AuditTrail t = new AuditTrail(settings, keyring, key, clock, f, registry);
    t.writer.start();
    return t;
  }

  /** Queues the event for the writer; drops and counts it when the queue is full. */
  @Override
  public void accept(SecurityEvent event) {
    if (!running || !queue.offer(new Pending(event, null))) {
      drop(event);
    }
  }

  /**
   * Queues the event and returns a future completed once its record is on disk (forced), or failed
   * when it was dropped or could not be written: for changes acknowledged only once recorded.
   */
  @Override
  public CompletableFuture<Void> acceptDurably(SecurityEvent event) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (!running || !queue.offer(new Pending(event, done))) {
      drop(event);
      done.completeExceptionally(
          new IllegalStateException(
              settings.file() + ": audit queue full; the change was refused"));
    }
    return done;
  }

  /** Returns how many events were dropped because the queue was full or the trail closed. */
  public long dropped() {
    return (long) dropped.count();
  }

  private void drop(SecurityEvent event) {
    dropped.increment();
    long now = System.currentTimeMillis();
    long last = lastDropLog.get();
    if (now - last >= DROP_LOG_MILLIS && lastDropLog.compareAndSet(last, now)) {
      LOG.warning(
          settings.file()
              + ": audit queue full ("
              + settings.queue()
              + " events); dropped a "
              + event.kind().wireName()
              + " event ("
              + dropped()
              + " dropped so far)");
    }
  }

  private void writeLoop() {
    List<Pending> batch = new ArrayList<>(BATCH);
    while (running || !queue.isEmpty()) {
      try {
        long wait =
            Math.max(
                1,
                settings.checkpointInterval().toMillis() - (clock.millis() - lastCheckpointMillis));
        Pending p = queue.poll(Math.min(wait, 200), TimeUnit.MILLISECONDS);
        if (p != null) {
          batch.add(p);
          queue.drainTo(batch, BATCH - 1);
        }
        writeBatch(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } finally {
        batch.clear();
      }
    }
    // The last records are anchored by a checkpoint, written by this thread like every record.
    if (sinceCheckpoint > 0) {
      try {
        checkpoint();
        file.sync();
      } catch (IOException | RuntimeException e) {
        LOG.warning(
            settings.file()
                + ": the last checkpoint could not be written ("
                + e.getMessage()
                + ")");
      }
    }
  }

  private void writeBatch(List<Pending> batch) {
    try {
      for (Pending p : batch) {
        appendEvent(p.event());
        if (++sinceCheckpoint >= settings.checkpointEvery()) {
          checkpoint();
        }
      }
      if (sinceCheckpoint > 0
          && clock.millis() - lastCheckpointMillis >= settings.checkpointInterval().toMillis()) {
        checkpoint();
      }
      if (!batch.isEmpty()) {
        file.sync();
      }
      for (Pending p : batch) {
        written.increment();
        if (p.written() != null) {
          p.written().complete(null);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(
          Level.SEVERE,
          settings.file() + ": audit records could not be written (" + e.getMessage() + ")");
      for (Pending p : batch) {
        dropped.increment();
        if (p.written() != null) {
          p.written().completeExceptionally(e);
        }
      }
    }
  }

  private void appendEvent(SecurityEvent event) throws IOException {
    long seq = file.nextSeq();
    byte[] sealed = keyring.seal(recordId(file.trail(), seq), EventBody.of(event));
    String body = Base64.getEncoder().encodeToString(sealed);
    file.append(
        file.next(TrailLine.EVENT, clock.instant().toString(), TrailLine.field("body", body)));
  }

  private void checkpoint() throws IOException {
    long seq = file.nextSeq();
    String sig = key.sign(file.trail(), seq, file.lastHash());
    file.append(
        file.next(TrailLine.CHECKPOINT, clock.instant().toString(), TrailLine.field("sig", sig)));
    sinceCheckpoint = 0;
    lastCheckpointMillis = clock.millis();
  }

  /** Returns the identity an event record's body is sealed for. */
  static RecordId recordId(String trail, long seq) {
    return new RecordId("audit", trail, Long.toString(seq));
  }

  /** Writes what is queued, signs a last checkpoint (on the writer thread), and closes the file. */
  @Override
  public void close() {
    running = false;
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      file.close();
    } catch (IOException e) {
      LOG.warning(settings.file() + ": could not be closed (" + e.getMessage() + ")");
    }
  }
}
