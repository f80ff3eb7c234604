package dev.bulwark.audit.trail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The trail's active file, opened for appending by the writer thread only. A new trail starts with
 * a start record naming the trail and the checkpoint key; an existing file is resumed where its
 * last whole record ends with a new start record chained to it (a record torn by a crash mid-write
 * was never acknowledged: it is cut, and the start record says how many bytes were cut, in {@code
 * torn}); a file made by a rotation starts with an anchor record chained to the previous file's
 * last record. What was appended since the last {@link #sync} can be {@link #rollback rolled back},
 * so a failed write (a full disk) never leaves half a record for the next one to follow.
 */
final class TrailFile implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TrailFile.class.getName());
  private static final int PENDING_FLUSH_BYTES = 64 * 1024;
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final Base64.Encoder BASE64 = Base64.getEncoder();

  /** Checks each write and force before it happens: tests make it fail like a full disk. */
  @FunctionalInterface
  interface WriteGate {
    /** No check: every write goes to the file. */
    WriteGate NONE = file -> {};

    /** Throws when the write to {@code file} must fail. */
    void check(Path file) throws IOException;
  }

  private final Path path;
  private final FileChannel channel;
  private final WriteGate gate;
  private final String trail;
  private final long startedMillis;
  private final long firstSeq;
  private long nextSeq;
  private String lastHash;
  private long syncedSize;
  private long syncedSeq;
  private String syncedHash;

  /** Bytes written to the channel (not yet forced); records appended since wait in {@link #out}. */
  private long written;

  /**
   * Records appended but not yet handed to the channel: one write per batch instead of one per
   * record (and no size look-up per record), which was a tenth of the writer's time per record.
   */
  private byte[] out = new byte[PENDING_FLUSH_BYTES + TrailLine.MAX_LINE_BYTES];

  private int pending;
  private byte[] base64 = new byte[1024];
  private final MessageDigest sha256 = TrailLine.sha256();

  private TrailFile(
      Path path,
      FileChannel channel,
      WriteGate gate,
      String trail,
      long nextSeq,
      String lastHash,
      long startedMillis)
      throws IOException {
    this.path = path;
    this.channel = channel;
    this.gate = gate;
    this.trail = trail;
    this.nextSeq = nextSeq;
    this.firstSeq = nextSeq;
    this.lastHash = lastHash;
    this.startedMillis = startedMillis;
    this.syncedSize = channel.size();
    this.written = syncedSize;
    this.syncedSeq = nextSeq;
    this.syncedHash = lastHash;
  }

  /**
   * Opens or creates the trail's active file at {@code path} and appends its first record: a start
   * record, or an anchor after the last rotated file when the active file is missing (a crash
   * between a rotation's rename and its new file). Blocking.
   *
   * @throws IllegalStateException with one line naming the file when it is not a trail
   * @throws UncheckedIOException when it cannot be read or written
   */
  static TrailFile open(Path path, CheckpointKey key, Instant now, WriteGate gate) {
    try {
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      if (!Files.exists(path)) {
        List<Path> rotated = TrailSegments.rotated(path);
        if (!rotated.isEmpty()) {
          return anchored(path, rotated.get(rotated.size() - 1), key, now, gate);
        }
        create(path);
      }
      FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      TrailFile f;
      long torn;
      try {
        torn = cutTornTail(path, ch);
        if (ch.size() == 0) {
          List<Path> rotated = TrailSegments.rotated(path);
          if (!rotated.isEmpty()) {
            // A rotation's new file torn before its anchor was whole: start it again.
            ch.close();
            Files.delete(path);
            return anchored(path, rotated.get(rotated.size() - 1), key, now, gate);
          }
          f =
              new TrailFile(
                  path,
                  ch,
                  gate,
                  UUID.randomUUID().toString(),
                  0,
                  TrailLine.GENESIS,
                  now.toEpochMilli());
        } else {
          f = resume(path, ch, gate, now);
        }
      } catch (RuntimeException | IOException e) {
        ch.close();
        throw e;
      }
      String fields =
          TrailLine.field("trail", f.trail) + "," + TrailLine.field("key", key.publicText());
      if (torn > 0) {
        fields += "," + TrailLine.field("torn", Long.toString(torn));
      }
      f.append(f.next(TrailLine.START, now.toString(), fields));
      f.sync();
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": cannot be opened (" + e.getMessage() + ")", e);
    }
  }

  private static void create(Path path) throws IOException {
    Files.createFile(
        path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
  }

  /**
   * Starts a new active file at {@code path} chained to the last record of {@code previous} with a
   * signed anchor record.
   */
  private static TrailFile anchored(
      Path path, Path previous, CheckpointKey key, Instant now, WriteGate gate) throws IOException {
    TrailLine last;
    String trail;
    try (FileChannel prev = FileChannel.open(previous, StandardOpenOption.READ)) {
      TrailLine first = firstRecord(previous, prev);
      trail = first.value("trail");
      last = lastRecord(prev);
    }
    if (last == null || trail == null) {
      throw notATrail(previous, "no whole last record to anchor the next file to");
    }
    create(path);
    FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      TrailFile f =
          new TrailFile(path, ch, gate, trail, last.seq() + 1, last.hash(), now.toEpochMilli());
      String sig = key.sign(trail, f.nextSeq, f.lastHash);
      f.append(
          f.next(
              TrailLine.ANCHOR,
              now.toString(),
              TrailLine.field("trail", trail)
                  + ","
                  + TrailLine.field("key", key.publicText())
                  + ","
                  + TrailLine.field("sig", sig)));
      f.sync();
      syncDirectory(path);
      return f;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /**
   * Closes this file, renames it to the next rotated name, and returns the new active file that
   * continues the chain with an anchor record. The caller has ended this file with a checkpoint and
   * synced it.
   */
  TrailFile rotate(CheckpointKey key, Instant now) throws IOException {
    writePending();
    channel.close();
    Path to = TrailSegments.nextRotated(path);
    Files.move(path, to, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory(path);
    return anchored(path, to, key, now, gate);
  }

  private static void syncDirectory(Path file) {
    Path dir = file.toAbsolutePath().getParent();
    if (dir == null) {
      return;
    }
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Not every file system lets a directory be opened and forced; the rename still happened.
    }
  }

  /** Cuts a torn last line (no newline at its end) and returns how many bytes were cut. */
  private static long cutTornTail(Path path, FileChannel ch) throws IOException {
    long size = ch.size();
    if (size == 0) {
      return 0;
    }
    int window = (int) Math.min(size, 2L * TrailLine.MAX_LINE_BYTES);
    ByteBuffer tail = ByteBuffer.allocate(window);
    ch.read(tail, size - window);
    byte[] bytes = tail.array();
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] != '\n') {
      end--;
    }
    if (end == bytes.length) {
      return 0;
    }
    long cut = bytes.length - end;
    if (end == 0 && window < size) {
      throw notATrail(path, "its last " + window + " bytes hold no whole record");
    }
    LOG.warning(
        path
            + ": the last record was torn by a crash during a write ("
            + cut
            + " bytes); cut it and resumed after the last whole record (the start record says"
            + " torn="
            + cut
            + ")");
    ch.truncate(size - cut);
    ch.force(false);
    return cut;
  }

  private static TrailFile resume(Path path, FileChannel ch, WriteGate gate, Instant now)
      throws IOException {
    TrailLine start = firstRecord(path, ch);
    String trail = start.value("trail");
    if (trail == null) {
      throw notATrail(path, "its first line is not a start record");
    }
    TrailLine last = lastRecord(ch);
    if (last == null) {
      throw notATrail(path, "its last line is not a record");
    }
    long started;
    try {
      started = Instant.parse(start.time()).toEpochMilli();
    } catch (DateTimeParseException e) {
      started = now.toEpochMilli();
    }
    return new TrailFile(path, ch, gate, trail, last.seq() + 1, last.hash(), started);
  }

  private static TrailLine firstRecord(Path path, FileChannel ch) throws IOException {
    ByteBuffer head = ByteBuffer.allocate((int) Math.min(ch.size(), TrailLine.MAX_LINE_BYTES));
    ch.read(head, 0);
    String s = new String(head.array(), 0, head.position(), StandardCharsets.US_ASCII);
    int nl = s.indexOf('\n');
    TrailLine first = nl < 0 ? null : TrailLine.parse(s.substring(0, nl));
    if (first == null
        || !(first.type().equals(TrailLine.START) || first.type().equals(TrailLine.ANCHOR))) {
      throw notATrail(path, "its first line is not a start record");
    }
    return first;
  }

  /** Returns the last whole record of a file that ends with a newline, or null. */
  private static @Nullable TrailLine lastRecord(FileChannel ch) throws IOException {
    long size = ch.size();
    int window = (int) Math.min(size, 2L * TrailLine.MAX_LINE_BYTES);
    ByteBuffer tail = ByteBuffer.allocate(window);
    ch.read(tail, size - window);
    byte[] bytes = tail.array();
    int end = bytes.length;
    if (end == 0 || bytes[end - 1] != '\n') {
      return null;
    }
    int from = end - 1;
    while (from > 0 && bytes[from - 1] != '\n') {
      from--;
    }
    return TrailLine.parse(new String(bytes, from, end - 1 - from, StandardCharsets.US_ASCII));
  }

  private static IllegalStateException notATrail(Path path, String why) {
    return new IllegalStateException(
        path + ": not an audit trail (" + why + "); move it aside or point audit.file elsewhere");
  }

  /** Returns the trail's identity (from its first start record). */
  String trail() {
    return trail;
  }

  /** Returns the sequence number the next record gets. */
  long nextSeq() {
    return nextSeq;
  }

  /** Returns when this file's first record was written, in milliseconds since the epoch. */
  long startedMillis() {
    return startedMillis;
  }

  /** Returns whether records were appended after this file's first one (its start or anchor). */
  boolean hasRecordsBeyondFirst() {
    return nextSeq > firstSeq + 1;
  }

  /** Returns the next record of {@code type}, chained after the last one appended. */
  TrailLine next(String type, String time, String fields) {
    return TrailLine.make(nextSeq, time, type, fields, lastHash);
  }

  /** Returns the hash of the last record appended. */
  String lastHash() {
    return lastHash;
  }

  /** Appends a record made by {@link #next} (not yet written, nor forced to disk). */
  void append(TrailLine line) throws IOException {
    gate.check(path);
    byte[] text = line.text().getBytes(StandardCharsets.US_ASCII);
    ensure(text.length + 1);
    System.arraycopy(text, 0, out, pending, text.length);
    pending += text.length;
    out[pending++] = '\n';
    nextSeq = line.seq() + 1;
    lastHash = line.hash();
    writeIfFull();
  }

  /**
   * Appends an event record chained after the last one, written at {@code time} (ISO-8601), whose
   * body is {@code sealed} (base64 in the line): byte for byte the line {@link #next} and {@link
   * #append} make, built once in place, without the strings.
   */
  void appendEvent(String time, byte[] sealed) throws IOException {
    gate.check(path);
    int b64 = 4 * ((sealed.length + 2) / 3);
    if (base64.length < b64) {
      base64 = new byte[b64];
    }
    BASE64.encode(sealed, base64);
    ensure(b64 + time.length() + 240);
    int start = pending;
    ascii("{\"seq\":");
    ascii(Long.toString(nextSeq));
    ascii(",\"time\":\"");
    ascii(time);
    ascii("\",\"type\":\"event\",\"body\":\"");
    System.arraycopy(base64, 0, out, pending, b64);
    pending += b64;
    ascii("\",\"prev\":\"");
    ascii(lastHash);
    out[pending++] = '"';
    sha256.update(out, start, pending - start);
    byte[] digest = sha256.digest();
    ascii(",\"hash\":\"");
    int hashAt = pending;
    for (byte d : digest) {
      out[pending++] = HEX[(d >> 4) & 0xf];
      out[pending++] = HEX[d & 0xf];
    }
    String hash = new String(out, hashAt, 64, StandardCharsets.US_ASCII);
    out[pending++] = '"';
    out[pending++] = '}';
    out[pending++] = '\n';
    nextSeq++;
    lastHash = hash;
    writeIfFull();
  }

  /** Copies a string of the line alphabet (ASCII), char by char: no array made for it. */
  private void ascii(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      out[pending++] = (byte) s.charAt(i);
    }
  }

  private void ensure(int more) {
    if (pending + more > out.length) {
      out = java.util.Arrays.copyOf(out, Math.max(out.length * 2, pending + more));
    }
  }

  private void writeIfFull() throws IOException {
    if (pending >= PENDING_FLUSH_BYTES) {
      writePending();
    }
  }

  /** Hands the records appended to the channel (not forced). */
  private void writePending() throws IOException {
    if (pending == 0) {
      return;
    }
    gate.check(path);
    ByteBuffer b = ByteBuffer.wrap(out, 0, pending);
    long at = written;
    while (b.hasRemaining()) {
      at += channel.write(b, at);
    }
    written = at;
    pending = 0;
  }

  /** Forces what was appended to the disk; it can no longer be rolled back. */
  void sync() throws IOException {
    gate.check(path);
    writePending();
    channel.force(false);
    syncedSize = written;
    syncedSeq = nextSeq;
    syncedHash = lastHash;
  }

  /**
   * Cuts what was appended since the last {@link #sync} (a write that failed half-way leaves part
   * of a record) so that the next record follows the last one on disk.
   */
  void rollback() throws IOException {
    pending = 0;
    written = syncedSize;
    if (channel.size() > syncedSize) {
      channel.truncate(syncedSize);
    }
    nextSeq = syncedSeq;
    lastHash = syncedHash;
  }

  /** Returns the file's size in bytes, with the records appended and not yet written. */
  long size() {
    return written + pending;
  }

  Path path() {
    return path;
  }

  /** Writes the records appended (not forced) and closes the file. */
  @Override
  public void close() throws IOException {
    try {
      writePending();
    } finally {
      channel.close();
    }
  }
}
