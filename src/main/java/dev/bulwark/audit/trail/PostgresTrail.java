package dev.bulwark.audit.trail;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.DurableSink;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventSink;
import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sealed.RecordId;
import dev.bulwark.store.sql.SqlRunner;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The audit trail in PostgreSQL, shared by every gateway of a cluster: the records of the file
 * trail (same lines, same sealed bodies, same signed checkpoints) as rows of {@code audit_records},
 * one hash chain over all writers. Each event is queued (never blocking the caller); one writer
 * thread appends each batch in one transaction that takes the chain's head row {@code FOR UPDATE},
 * so writers take turns and the chain stays one total order, and signs a checkpoint every {@code
 * checkpointEvery} records or {@code checkpointInterval} (counted over all writers, in the head
 * row). When PostgreSQL is away, the batch in hand is retried with back-off while new events wait
 * in the buffer; once the buffer is full, new events are dropped, counted, and reported once per
 * outage (a log line and an {@code audit-dropped} event). An event that must be stored ({@link
 * #acceptDurably}) completes after its batch is committed, and fails at the first failed attempt.
 */
public final class PostgresTrail implements DurableSink, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PostgresTrail.class.getName());
  private static final int BATCH = 256;
  private static final long MAX_BACKOFF_MILLIS = 5_000;
  private static final long FAILURE_LOG_MILLIS = 10_000;
  private static final long ATTEMPT_WAIT_SECONDS = 120;
  private static final RecordId KEY_ID = new RecordId("audit_chain", "1", "private_key");

  /** How often retention anchors the chain and removes what is old enough. */
  private static final long RETENTION_EVERY_MILLIS = 3_600_000;

  /**
   * Where and how the trail is written.
   *
   * @param location the database, for messages ({@code PostgreSQL at host:port schema s})
   * @param checkpointEvery records between signed checkpoints (over all writers)
   * @param checkpointInterval longest time a record waits for a checkpoint
   * @param buffer events held in memory for the writer before new ones are dropped
   * @param retention records older than this are removed, a whole prefix up to a signed anchor at a
   *     time (zero: kept forever; else at least a day, as the database insists)
   */
  public record Settings(
      String location,
      int checkpointEvery,
      Duration checkpointInterval,
      int buffer,
      Duration retention) {
    /** Settings that keep every record. */
    public Settings(String location, int checkpointEvery, Duration checkpointInterval, int buffer) {
      this(location, checkpointEvery, checkpointInterval, buffer, Duration.ZERO);
    }

    public Settings {
      requireNonNull(location, "location");
      requireNonNull(checkpointInterval, "checkpointInterval");
      requireNonNull(retention, "retention");
      if (!retention.isZero() && retention.compareTo(Duration.ofDays(1)) < 0) {
        throw new IllegalArgumentException(
            "retention: " + retention + " (expected: zero, or at least a day)");
      }
      if (checkpointEvery < 1) {
        throw new IllegalArgumentException(
            "checkpointEvery: " + checkpointEvery + " (expected: > 0)");
      }
      if (buffer < 1) {
        throw new IllegalArgumentException("buffer: " + buffer + " (expected: > 0)");
      }
    }
  }

  private record Pending(SecurityEvent event, @Nullable CompletableFuture<Void> stored) {}

  /** The chain's head row as a writer holds it during one transaction. */
  private static final class Head {
    long next;
    String last;
    int since;
    long checkpointMillis;

    Head(long next, String last, int since, long checkpointMillis) {
      this.next = next;
      this.last = last;
      this.since = since;
      this.checkpointMillis = checkpointMillis;
    }
  }

  private final Settings settings;
  private final SqlRunner db;
  private final Keyring keyring;
  private final CheckpointKey key;
  private final String trail;
  private final Clock clock;
  private final SecurityEventSink alarm;
  private final BlockingQueue<Pending> queue;
  private final Counter dropped;
  private final Counter written;
  private final Counter writeFailures;
  private final Counter removed;
  private final AtomicBoolean dropReported = new AtomicBoolean();
  private final AtomicLong dropCount = new AtomicLong();
  private final Thread writer;
  private volatile boolean running = true;
  private boolean failing;
  private long lastFailureLog = Long.MIN_VALUE / 2;
  private boolean awaitingCheckpoint;
  private long lastCheckpointCheck;
  private long nextRetention;

  private PostgresTrail(
      Settings settings,
      SqlRunner db,
      Keyring keyring,
      CheckpointKey key,
      String trail,
      Clock clock,
      MeterRegistry registry,
      SecurityEventSink alarm) {
    this.settings = settings;
    this.db = db;
    this.keyring = keyring;
    this.key = key;
    this.trail = trail;
    this.clock = clock;
    this.alarm = alarm;
    this.queue = new ArrayBlockingQueue<>(settings.buffer());
    this.dropped = registry.counter("bulwark.audit.postgres.dropped");
    this.written = registry.counter("bulwark.audit.postgres.written");
    this.writeFailures = registry.counter("bulwark.audit.postgres.write.failures");
    this.removed = registry.counter("bulwark.audit.postgres.removed");
    this.lastCheckpointCheck = clock.millis();
    this.writer = new Thread(this::writeLoop, "bulwark-audit-postgres");
    writer.setDaemon(true);
  }

  /**
   * Opens the chain (making it, its trail identity and its checkpoint key on first use; blocking:
   * start-up only), appends a start record for this writer, and starts the writer thread. {@code
   * alarm} is told once per outage when events begin to be dropped.
   *
   * @throws IllegalStateException with one line naming the database when it cannot be used
   */
  public static PostgresTrail open(
      Settings settings,
      SqlRunner db,
      Keyring keyring,
      MeterRegistry registry,
      SecurityEventSink alarm) {
    return open(settings, db, keyring, registry, alarm, Clock.systemUTC());
  }

  static PostgresTrail open(
      Settings settings,
      SqlRunner db,
      Keyring keyring,
      MeterRegistry registry,
      SecurityEventSink alarm,
      Clock clock) {
    requireNonNull(alarm, "alarm");
    Opened o;
    try {
      o =
          db.run(
                  "audit trail open",
                  c -> SqlRunner.inTransaction(c, tx -> openChain(tx, keyring, clock)))
              .toCompletableFuture()
              .get(ATTEMPT_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(settings.location() + ": interrupted while opening");
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IllegalStateException(
          settings.location() + ": the audit trail cannot be opened (" + cause.getMessage() + ")",
          cause);
    }
    PostgresTrail t =
        new PostgresTrail(settings, db, keyring, o.key(), o.trail(), clock, registry, alarm);
    // Records left after the last checkpoint (a writer killed before it signed them) are signed
    // within the interval, or at close, like this writer's own.
    t.awaitingCheckpoint = o.unsigned();
    t.writer.start();
    return t;
  }

  private record Opened(String trail, CheckpointKey key, boolean unsigned) {}

  private static Opened openChain(Connection tx, Keyring keyring, Clock clock) throws SQLException {
    try (Statement s = tx.createStatement()) {
      // Two gateways starting on an empty table: one makes the chain, the other waits and joins it.
      s.execute("LOCK TABLE audit_chain IN SHARE ROW EXCLUSIVE MODE");
    }
    Head h = null;
    String trail;
    CheckpointKey key;
    try (PreparedStatement q =
            tx.prepareStatement(
                "SELECT trail, next_seq, last_hash, since_checkpoint, checkpoint_ms, public_key,"
                    + " private_key FROM audit_chain WHERE id = 1 FOR UPDATE");
        ResultSet r = q.executeQuery()) {
      if (r.next()) {
        trail = r.getString(1);
        h = new Head(r.getLong(2), r.getString(3), r.getInt(4), r.getLong(5));
        key = CheckpointKey.fromSealed(r.getBytes(7), r.getString(6), keyring, KEY_ID);
      } else {
        trail = UUID.randomUUID().toString();
        key = CheckpointKey.generate();
      }
    }
    long now = clock.millis();
    String fields =
        TrailLine.field("trail", trail) + "," + TrailLine.field("key", key.publicText());
    if (h == null) {
      TrailLine start =
          TrailLine.make(0, clock.instant().toString(), TrailLine.START, fields, TrailLine.GENESIS);
      insert(tx, List.of(start), now);
      try (PreparedStatement p =
          tx.prepareStatement(
              "INSERT INTO audit_chain (id, trail, next_seq, last_hash, since_checkpoint,"
                  + " checkpoint_ms, public_key, private_key) VALUES (1, ?, ?, ?, 0, ?, ?, ?)")) {
        p.setString(1, trail);
        p.setLong(2, 1);
        p.setString(3, start.hash());
        p.setLong(4, now);
        p.setString(5, key.publicText());
        p.setBytes(6, key.sealedPrivate(keyring, KEY_ID));
        p.executeUpdate();
      }
      return new Opened(trail, key, false);
    }
    TrailLine start =
        TrailLine.make(h.next, clock.instant().toString(), TrailLine.START, fields, h.last);
    insert(tx, List.of(start), now);
    h.next = start.seq() + 1;
    h.last = start.hash();
    moveHead(tx, h);
    return new Opened(trail, key, h.since > 0);
  }

  /** Returns the trail's identity (the same for every gateway writing this table). */
  public String trail() {
    return trail;
  }

  /** Returns the public checkpoint key (base64 X.509), as {@code --public-key} pins it. */
  public String publicKey() {
    return key.publicText();
  }

  /** Queues the event for the writer; drops and counts it when the buffer is full. */
  @Override
  public void accept(SecurityEvent event) {
    if (!running || !queue.offer(new Pending(event, null))) {
      drop(event, 1);
    }
  }

  /**
   * Queues the event and returns a future completed once its record is committed, or failed when it
   * was dropped or the attempt to write its batch failed (it is still retried).
   */
  @Override
  public CompletableFuture<Void> acceptDurably(SecurityEvent event) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (!running || !queue.offer(new Pending(event, done))) {
      drop(event, 1);
      done.completeExceptionally(
          new IllegalStateException(
              settings.location() + ": audit buffer full; the change was not recorded"));
    }
    return done;
  }

  /** Returns how many events were dropped (buffer full, or still unwritten at close). */
  public long dropped() {
    return dropCount.get();
  }

  /** Returns how many events wait in the buffer. */
  public int buffered() {
    return queue.size();
  }

  private void drop(SecurityEvent event, long n) {
    dropped.increment(n);
    long total = dropCount.addAndGet(n);
    if (dropReported.compareAndSet(false, true)) {
      String reason =
          "audit buffer full ("
              + settings.buffer()
              + " events) while PostgreSQL does not take records; events are dropped until it"
              + " does (bulwark_audit_postgres_dropped_total)";
      LOG.severe(
          settings.location()
              + ": "
              + reason
              + "; first dropped: a "
              + event.kind().wireName()
              + " event");
      try {
        alarm.accept(SecurityEvent.auditDropped("postgres", settings.location(), total, reason));
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "audit-dropped alarm failed", e);
      }
    }
  }

  private void writeLoop() {
    List<Pending> batch = new ArrayList<>(BATCH);
    long backoff = 0;
    while (running || !queue.isEmpty() || !batch.isEmpty()) {
      try {
        if (batch.isEmpty() && retentionDue()) {
          retainQuietly();
        }
        if (batch.isEmpty()) {
          Pending p = queue.poll(pollMillis(), TimeUnit.MILLISECONDS);
          if (p != null) {
            batch.add(p);
            queue.drainTo(batch, BATCH - 1);
          }
        }
        if (batch.isEmpty() && !checkpointDue()) {
          continue;
        }
        awaitingCheckpoint = attempt(batch);
        lastCheckpointCheck = clock.millis();
        for (Pending p : batch) {
          written.increment();
          if (p.stored() != null) {
            p.stored().complete(null);
          }
        }
        batch.clear();
        backoff = 0;
        recovered();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException | ExecutionException | TimeoutException e) {
        failed(e, batch);
        if (!running) {
          break;
        }
        backoff = backoff == 0 ? 100 : Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
        sleep(backoff);
      }
    }
    // Closing: what could not be written is lost, and counted.
    List<Pending> rest = new ArrayList<>(batch);
    queue.drainTo(rest);
    for (Pending p : rest) {
      drop(p.event(), 1);
      if (p.stored() != null) {
        p.stored().completeExceptionally(new IllegalStateException("audit trail closed"));
      }
    }
    if (awaitingCheckpoint && rest.isEmpty()) {
      try {
        attemptCheckpoint(true);
      } catch (RuntimeException | ExecutionException | TimeoutException e) {
        LOG.warning(
            settings.location()
                + ": the last audit checkpoint could not be written ("
                + message(e)
                + ")");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private long pollMillis() {
    if (!awaitingCheckpoint) {
      return 200;
    }
    long due = settings.checkpointInterval().toMillis() - (clock.millis() - lastCheckpointCheck);
    return Math.max(1, Math.min(200, due));
  }

  private boolean checkpointDue() {
    return awaitingCheckpoint
        && clock.millis() - lastCheckpointCheck >= settings.checkpointInterval().toMillis();
  }

  private void sleep(long millis) {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (running && System.nanoTime() < until) {
      try {
        Thread.sleep(Math.min(50, millis));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Writes one batch (or only a due checkpoint) in one transaction; waits for its commit. */
  private boolean attempt(List<Pending> batch)
      throws InterruptedException, ExecutionException, TimeoutException {
    List<SecurityEvent> events = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      events.add(p.event());
    }
    return db.run("audit append", c -> SqlRunner.inTransaction(c, tx -> append(tx, events, false)))
        .toCompletableFuture()
        .get(ATTEMPT_WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private void attemptCheckpoint(boolean force)
      throws InterruptedException, ExecutionException, TimeoutException {
    db.run("audit checkpoint", c -> SqlRunner.inTransaction(c, tx -> append(tx, List.of(), force)))
        .toCompletableFuture()
        .get(ATTEMPT_WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * Appends {@code events} after the chain's head (locked until the commit), with the checkpoints
   * that fall due, and moves the head; returns whether records are left waiting for a checkpoint.
   */
  private boolean append(Connection tx, List<SecurityEvent> events, boolean forceCheckpoint)
      throws SQLException {
    Head h;
    try (PreparedStatement q =
            tx.prepareStatement(
                "SELECT next_seq, last_hash, since_checkpoint, checkpoint_ms FROM audit_chain"
                    + " WHERE id = 1 FOR UPDATE");
        ResultSet r = q.executeQuery()) {
      if (!r.next()) {
        throw new SQLException("audit_chain has no head row (the table was emptied)");
      }
      h = new Head(r.getLong(1), r.getString(2), r.getInt(3), r.getLong(4));
    }
    long now = clock.millis();
    String time = clock.instant().toString();
    List<TrailLine> lines = new ArrayList<>(events.size() + 2);
    for (SecurityEvent e : events) {
      byte[] sealed = keyring.seal(AuditTrail.recordId(trail, h.next), EventBody.of(e));
      String body = Base64.getEncoder().encodeToString(sealed);
      lines.add(next(h, TrailLine.EVENT, time, TrailLine.field("body", body)));
      if (++h.since >= settings.checkpointEvery()) {
        lines.add(checkpoint(h, time, now));
      }
    }
    if (h.since > 0
        && (forceCheckpoint
            || now - h.checkpointMillis >= settings.checkpointInterval().toMillis())) {
      lines.add(checkpoint(h, time, now));
    }
    if (lines.isEmpty()) {
      return h.since > 0;
    }
    insert(tx, lines, now);
    moveHead(tx, h);
    return h.since > 0;
  }

  private static TrailLine next(Head h, String type, String time, String fields) {
    TrailLine line = TrailLine.make(h.next, time, type, fields, h.last);
    h.next = line.seq() + 1;
    h.last = line.hash();
    return line;
  }

  private TrailLine checkpoint(Head h, String time, long now) {
    String sig = key.sign(trail, h.next, h.last);
    TrailLine line = next(h, TrailLine.CHECKPOINT, time, TrailLine.field("sig", sig));
    h.since = 0;
    h.checkpointMillis = now;
    return line;
  }

  private static void insert(Connection tx, List<TrailLine> lines, long now) throws SQLException {
    try (PreparedStatement p =
        tx.prepareStatement(
            "INSERT INTO audit_records (seq, written, type, fields, prev, hash, written_ms)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      for (TrailLine l : lines) {
        p.setLong(1, l.seq());
        p.setString(2, l.time());
        p.setString(3, l.type());
        p.setString(4, l.fields());
        p.setString(5, l.prev());
        p.setString(6, l.hash());
        p.setLong(7, now);
        p.addBatch();
      }
      p.executeBatch();
    }
  }

  private static void moveHead(Connection tx, Head h) throws SQLException {
    try (PreparedStatement p =
        tx.prepareStatement(
            "UPDATE audit_chain SET next_seq = ?, last_hash = ?, since_checkpoint = ?,"
                + " checkpoint_ms = ? WHERE id = 1")) {
      p.setLong(1, h.next);
      p.setString(2, h.last);
      p.setInt(3, h.since);
      p.setLong(4, h.checkpointMillis);
      p.executeUpdate();
    }
  }

  private boolean retentionDue() {
    return !settings.retention().isZero() && running && clock.millis() >= nextRetention;
  }

  private void retainQuietly() throws InterruptedException {
    nextRetention = clock.millis() + RETENTION_EVERY_MILLIS;
    try {
      applyRetention();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      writeFailures.increment();
      LOG.warning(
          settings.location()
              + ": audit retention could not run ("
              + message(e)
              + "); it is tried again in an hour");
    }
  }

  /**
   * Applies retention now (the writer does it at start and every hour): in one transaction, signs a
   * checkpoint if records wait for one, appends a signed anchor at the head (a point later
   * retention can cut at), and removes every record before the newest anchor the database stored
   * longer than {@link Settings#retention} ago, through {@code audit_retain}, the one path the
   * table's triggers allow. What remains starts at that anchor and verifies. Blocking; returns how
   * many records were removed (0 when retention is off).
   */
  public long applyRetention() throws InterruptedException, ExecutionException, TimeoutException {
    if (settings.retention().isZero()) {
      return 0;
    }
    long n =
        db.run("audit retention", c -> SqlRunner.inTransaction(c, this::retain))
            .toCompletableFuture()
            .get(ATTEMPT_WAIT_SECONDS, TimeUnit.SECONDS);
    if (n > 0) {
      removed.increment(n);
      LOG.info(
          settings.location()
              + ": audit retention removed "
              + n
              + " records older than "
              + settings.retention().toDays()
              + "d (the trail now starts at an anchor)");
    }
    return n;
  }

  private long retain(Connection tx) throws SQLException {
    Head h;
    try (PreparedStatement q =
            tx.prepareStatement(
                "SELECT c.next_seq, c.last_hash, c.since_checkpoint, c.checkpoint_ms, r.type FROM"
                    + " audit_chain c LEFT JOIN audit_records r ON r.seq = c.next_seq - 1 WHERE"
                    + " c.id = 1 FOR UPDATE OF c");
        ResultSet r = q.executeQuery()) {
      if (!r.next()) {
        throw new SQLException("audit_chain has no head row (the table was emptied)");
      }
      h = new Head(r.getLong(1), r.getString(2), r.getInt(3), r.getLong(4));
      if (!TrailLine.ANCHOR.equals(r.getString(5))) {
        long now = clock.millis();
        String time = clock.instant().toString();
        List<TrailLine> lines = new ArrayList<>(2);
        if (h.since > 0) {
          lines.add(checkpoint(h, time, now));
        }
        String sig = key.sign(trail, h.next, h.last);
        lines.add(
            next(
                h,
                TrailLine.ANCHOR,
                time,
                TrailLine.field("trail", trail)
                    + ","
                    + TrailLine.field("key", key.publicText())
                    + ","
                    + TrailLine.field("sig", sig)));
        insert(tx, lines, now);
        moveHead(tx, h);
      }
    }
    try (PreparedStatement p = tx.prepareStatement("SELECT audit_retain(?)")) {
      p.setLong(1, settings.retention().toMillis());
      try (ResultSet r = p.executeQuery()) {
        return r.next() ? r.getLong(1) : 0;
      }
    }
  }

  private void failed(Exception e, List<Pending> batch) {
    writeFailures.increment();
    for (Pending p : batch) {
      if (p.stored() != null) {
        p.stored().completeExceptionally(e);
      }
    }
    long now = System.currentTimeMillis();
    if (!failing || now - lastFailureLog >= FAILURE_LOG_MILLIS) {
      lastFailureLog = now;
      LOG.log(
          Level.SEVERE,
          settings.location()
              + ": audit records could not be written ("
              + message(e)
              + "); "
              + (batch.size() + queue.size())
              + " events wait in memory (at most "
              + settings.buffer()
              + " more are buffered, then events are dropped); changes that wait for their"
              + " record are refused until PostgreSQL answers");
    }
    failing = true;
  }

  private void recovered() {
    if (failing) {
      failing = false;
      dropReported.set(false);
      LOG.info(
          settings.location()
              + ": audit records are written again ("
              + dropCount.get()
              + " events dropped so far)");
    }
  }

  private static String message(Exception e) {
    Throwable t = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    return String.valueOf(t.getMessage());
  }

  /**
   * Writes what is buffered (for up to 10 seconds; what is left is dropped and counted), signs a
   * last checkpoint, and stops the writer. The database connection is the store's, closed by it.
   */
  @Override
  public void close() {
    running = false;
    try {
      writer.join(15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
