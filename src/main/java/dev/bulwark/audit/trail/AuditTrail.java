package dev.bulwark.audit.trail;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.DurableSink;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventSink;
import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sealed.RecordId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
   * When the active file is rotated: once it holds {@code size} bytes (0: never by size) or was
   * started {@code interval} ago (zero: never by age), whichever comes first, and only when it
   * holds an event.
   */
  public record Rotation(long size, Duration interval) {
    /** Never rotated: one file grows without bound. */
    public static final Rotation NEVER = new Rotation(0, Duration.ZERO);

    public Rotation {
      requireNonNull(interval, "interval");
      if (size < 0) {
        throw new IllegalArgumentException("size: " + size + " (expected: >= 0)");
      }
    }
  }

  /**
   * Which rotated files are kept: at most {@code files} of them (0: no limit), none rotated more
   * than {@code age} ago (zero: no limit). The active file is always kept.
   */
  public record Retention(int files, Duration age) {
    /** Every file kept. */
    public static final Retention ALL = new Retention(0, Duration.ZERO);

    public Retention {
      requireNonNull(age, "age");
      if (files < 0) {
        throw new IllegalArgumentException("files: " + files + " (expected: >= 0)");
      }
    }
  }

  /**
   * Where and how the trail is written.
   *
   * @param file the trail's active file
   * @param checkpointEvery records between signed checkpoints
   * @param checkpointInterval longest time a record waits for a checkpoint
   * @param queue events held for the writer before new ones are dropped
   * @param rotation when the active file is rotated
   * @param retention which rotated files are kept
   */
  public record Settings(
      Path file,
      int checkpointEvery,
      Duration checkpointInterval,
      int queue,
      Rotation rotation,
      Retention retention) {
    public Settings {
      requireNonNull(file, "file");
      requireNonNull(checkpointInterval, "checkpointInterval");
      requireNonNull(rotation, "rotation");
      requireNonNull(retention, "retention");
      if (checkpointEvery < 1) {
        throw new IllegalArgumentException(
            "checkpointEvery: " + checkpointEvery + " (expected: > 0)");
      }
      if (queue < 1) {
        throw new IllegalArgumentException("queue: " + queue + " (expected: > 0)");
      }
    }

    /** One file, never rotated. */
    public Settings(Path file, int checkpointEvery, Duration checkpointInterval, int queue) {
      this(file, checkpointEvery, checkpointInterval, queue, Rotation.NEVER, Retention.ALL);
    }
  }

  private record Pending(SecurityEvent event, @Nullable CompletableFuture<Void> written) {}

  private final Settings settings;
  private final Keyring keyring;
  private final CheckpointKey key;
  private final Clock clock;
  private final TrailFile.WriteGate gate;
  private volatile @Nullable TrailFile file;
  private final BlockingQueue<Pending> queue;
  private final Counter dropped;
  private final Counter written;
  private final Counter writeFailures;
  private final Counter rotations;
  private final AtomicLong lastDropLog = new AtomicLong(Long.MIN_VALUE / 2);
  private long lastFailureLog = Long.MIN_VALUE / 2;
  private volatile SecurityEventSink alarm = e -> {};
  private final AtomicBoolean dropReported = new AtomicBoolean();
  private final Thread writer;
  private volatile boolean running = true;
  private int sinceCheckpoint;
  private long lastCheckpointMillis;
  private long lastTimeMillis;
  private String lastTimeText = "";

  private AuditTrail(
      Settings settings,
      Keyring keyring,
      CheckpointKey key,
      Clock clock,
      TrailFile file,
      MeterRegistry registry,
      TrailFile.WriteGate gate) {
    this.settings = settings;
    this.keyring = keyring;
    this.key = key;
    this.clock = clock;
    this.file = file;
    this.gate = gate;
    this.queue = new ArrayBlockingQueue<>(settings.queue());
    this.dropped = registry.counter("bulwark.audit.dropped");
    this.written = registry.counter("bulwark.audit.written");
    this.writeFailures = registry.counter("bulwark.audit.write.failures");
    this.rotations = registry.counter("bulwark.audit.rotations");
    this.lastCheckpointMillis = clock.millis();
    this.writer = new Thread(this::writeLoop, "bulwark-audit-writer");
    writer.setDaemon(true);
  }

  /**
   * Opens the trail (blocking: start-up only), applies retention, and starts its writer thread.
   *
   * @throws IllegalStateException or {@link java.io.UncheckedIOException} with one line naming the
   *     file when it cannot be used
   */
  public static AuditTrail open(
      Settings settings, Keyring keyring, CheckpointKey key, MeterRegistry registry) {
    return open(settings, keyring, key, registry, Clock.systemUTC(), TrailFile.WriteGate.NONE);
  }

  static AuditTrail open(
      Settings settings, Keyring keyring, CheckpointKey key, MeterRegistry registry, Clock clock) {
    return open(settings, keyring, key, registry, clock, TrailFile.WriteGate.NONE);
  }

  static AuditTrail open(
      Settings settings,
      Keyring keyring,
      CheckpointKey key,
      MeterRegistry registry,
      Clock clock,
      TrailFile.WriteGate gate) {
    TrailFile f = TrailFile.open(settings.file(), key, clock.instant(), gate);
    AuditTrail t = new AuditTrail(settings, keyring, key, clock, f, registry, gate);
    t.applyRetention();
    t.writer.start();
    return t;
  }

  /**
   * Sets who is told, once per episode, that events are being lost (queue full, or records that
   * could not be written): an {@code audit-dropped} event, which the alert rule of that name and
   * the other sinks take. An episode ends when a batch is written again.
   */
  public void alarmOnDrop(SecurityEventSink alarm) {
    this.alarm = requireNonNull(alarm, "alarm");
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
    reportDrop("audit queue full (" + settings.queue() + " events); events are dropped");
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
        rotateIfDue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } finally {
        batch.clear();
      }
    }
    // The last records are anchored by a checkpoint, written by this thread like every record.
    TrailFile f = file;
    if (sinceCheckpoint > 0 && f != null) {
      try {
        checkpoint(f);
        f.sync();
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
    if (batch.isEmpty() && sinceCheckpoint == 0) {
      return;
    }
    TrailFile f = null;
    try {
      f = usableFile();
      for (Pending p : batch) {
        appendEvent(f, p.event());
        if (++sinceCheckpoint >= settings.checkpointEvery()) {
          checkpoint(f);
        }
      }
      if (sinceCheckpoint > 0
          && clock.millis() - lastCheckpointMillis >= settings.checkpointInterval().toMillis()) {
        checkpoint(f);
      }
      if (!batch.isEmpty()) {
        f.sync();
      }
      if (!batch.isEmpty() && queue.remainingCapacity() > 0) {
        dropReported.set(false);
      }
      for (Pending p : batch) {
        written.increment();
        if (p.written() != null) {
          p.written().complete(null);
        }
      }
    } catch (IOException | RuntimeException e) {
      writeFailed(e, batch.size());
      if (f != null) {
        try {
          f.rollback();
        } catch (IOException | RuntimeException again) {
          // The file can no longer be trusted to end with a whole record: reopen it (which cuts a
          // torn tail) before the next write.
          closeQuietly(f);
          file = null;
        }
      }
      dropped.increment(batch.size());
      reportDrop("audit records could not be written (" + e.getMessage() + ")");
      for (Pending p : batch) {
        if (p.written() != null) {
          p.written().completeExceptionally(e);
        }
      }
    }
  }

  /** Tells the alarm, once until a batch is written again, that events are being lost. */
  private void reportDrop(String reason) {
    if (dropReported.compareAndSet(false, true)) {
      try {
        alarm.accept(
            SecurityEvent.auditDropped("file", settings.file().toString(), dropped(), reason));
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "audit-dropped alarm failed", e);
      }
    }
  }

  /** Returns the active file, reopening it when a failure closed it. */
  private TrailFile usableFile() {
    TrailFile f = file;
    if (f == null) {
      f = TrailFile.open(settings.file(), key, clock.instant(), gate);
      file = f;
      sinceCheckpoint = 0;
      lastCheckpointMillis = clock.millis();
    }
    return f;
  }

  /** Logs a failed write at most once per {@link #DROP_LOG_MILLIS}, and counts every one. */
  private void writeFailed(Exception e, int events) {
    writeFailures.increment();
    long now = System.currentTimeMillis();
    if (now - lastFailureLog >= DROP_LOG_MILLIS) {
      lastFailureLog = now;
      LOG.log(
          Level.SEVERE,
          settings.file()
              + ": audit records could not be written ("
              + e.getMessage()
              + "); "
              + events
              + " events lost, changes that wait for their record are refused; "
              + (long) writeFailures.count()
              + " failed writes so far (bulwark_audit_write_failures_total)");
    }
  }

  private void rotateIfDue() {
    TrailFile f = file;
    Rotation r = settings.rotation();
    if (f == null || (r.size() == 0 && r.interval().isZero())) {
      return;
    }
    try {
      boolean due =
          (r.size() > 0 && f.size() >= r.size())
              || (!r.interval().isZero()
                  && clock.millis() - f.startedMillis() >= r.interval().toMillis());
      if (!due || !f.hasRecordsBeyondFirst()) {
        return;
      }
      checkpoint(f);
      f.sync();
    } catch (IOException | RuntimeException e) {
      writeFailed(e, 0);
      try {
        f.rollback();
      } catch (IOException | RuntimeException again) {
        closeQuietly(f);
        file = null;
      }
      return;
    }
    try {
      file = null;
      file = f.rotate(key, clock.instant());
      rotations.increment();
      sinceCheckpoint = 0;
      lastCheckpointMillis = clock.millis();
    } catch (IOException | RuntimeException e) {
      // The old file ends with a checkpoint; the next write reopens the active file (anchored to
      // the last rotated one when the rename happened).
      writeFailed(e, 0);
      closeQuietly(f);
      return;
    }
    applyRetention();
  }

  private void applyRetention() {
    Retention keep = settings.retention();
    if (keep.files() == 0 && keep.age().isZero()) {
      return;
    }
    try {
      TrailSegments.retain(settings.file(), keep.files(), keep.age(), clock.instant());
    } catch (IOException e) {
      LOG.warning(
          settings.file() + ": old audit files could not be deleted (" + e.getMessage() + ")");
    }
  }

  private static void closeQuietly(TrailFile f) {
    try {
      f.close();
    } catch (IOException ignored) {
      // Already failing; the next write reopens the file.
    }
  }

  private void appendEvent(TrailFile f, SecurityEvent event) throws IOException {
    long seq = f.nextSeq();
    byte[] sealed = keyring.seal(recordId(f.trail(), seq), EventBody.of(event));
    f.appendEvent(timeText(), sealed);
  }

  /** Returns the writer's time as ISO-8601, formatted once per millisecond (a flood has many). */
  private String timeText() {
    long now = clock.millis();
    if (now != lastTimeMillis || lastTimeText.isEmpty()) {
      lastTimeMillis = now;
      lastTimeText = Instant.ofEpochMilli(now).toString();
    }
    return lastTimeText;
  }

  private void checkpoint(TrailFile f) throws IOException {
    long seq = f.nextSeq();
    String sig = key.sign(f.trail(), seq, f.lastHash());
    f.append(f.next(TrailLine.CHECKPOINT, clock.instant().toString(), TrailLine.field("sig", sig)));
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
    TrailFile f = file;
    if (f == null) {
      return;
    }
    try {
      f.close();
    } catch (IOException e) {
      LOG.warning(settings.file() + ": could not be closed (" + e.getMessage() + ")");
    }
  }
}
