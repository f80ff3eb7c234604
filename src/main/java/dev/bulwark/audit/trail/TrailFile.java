package dev.bulwark.audit.trail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The trail's file, opened for appending by the writer thread only: a new file starts with a start
 * record naming the trail and the checkpoint key; an existing one is resumed where its last whole
 * record ends (a record torn by a crash mid-write was never acknowledged, and is cut) with a new
 * start record chained to it.
 */
final class TrailFile implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TrailFile.class.getName());

  private final Path path;
  private final FileChannel channel;
  private final String trail;
  private long nextSeq;
  private String lastHash;

  private TrailFile(Path path, FileChannel channel, String trail, long nextSeq, String lastHash) {
    this.path = path;
    this.channel = channel;
    this.trail = trail;
    this.nextSeq = nextSeq;
    this.lastHash = lastHash;
  }

  /**
   * Opens or creates the trail at {@code path} and appends its start record (blocking).
   *
   * @throws IllegalStateException with one line naming the file when it is not a trail
   * @throws UncheckedIOException when it cannot be read or written
   */
  static TrailFile open(Path path, String publicKey, String time) {
    try {
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      if (!Files.exists(path)) {
        Files.createFile(
            path,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      TrailFile f;
      try {
        f = ch.size() == 0 ? fresh(path, ch) : resume(path, ch);
      } catch (RuntimeException | IOException e) {
        ch.close();
        throw e;
      }
      f.append(
          f.next(
              TrailLine.START,
              time,
              TrailLine.field("trail", f.trail) + "," + TrailLine.field("key", publicKey)));
      f.sync();
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": cannot be opened (" + e.getMessage() + ")", e);
    }
  }

  private static TrailFile fresh(Path path, FileChannel ch) {
    return new TrailFile(path, ch, UUID.randomUUID().toString(), 0, TrailLine.GENESIS);
  }

  private static TrailFile resume(Path path, FileChannel ch) throws IOException {
    String first = firstLine(ch);
    TrailLine start = first == null ? null : TrailLine.parse(first);
    String trail = start == null ? null : start.value("trail");
    if (start == null || !start.type().equals(TrailLine.START) || trail == null) {
      throw notATrail(path, "its first line is not a start record");
    }
    long size = ch.size();
    int window = (int) Math.min(size, 2L * TrailLine.MAX_LINE_BYTES);
    ByteBuffer tail = ByteBuffer.allocate(window);
    ch.read(tail, size - window);
    byte[] bytes = tail.array();
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] != '\n') {
      end--;
    }
    if (end < bytes.length) {
      long keep = size - (bytes.length - end);
      LOG.warning(
          path
              + ": the last record was torn by a crash during a write ("
              + (bytes.length - end)
              + " bytes); cut it and resumed after the last whole record");
      ch.truncate(keep);
    }
    int from = end - 1;
    while (from > 0 && bytes[from - 1] != '\n') {
      from--;
    }
    TrailLine last =
        end == 0
            ? null
            : TrailLine.parse(new String(bytes, from, end - 1 - from, StandardCharsets.US_ASCII));
    if (last == null) {
      throw notATrail(path, "its last line is not a record");
    }
    return new TrailFile(path, ch, trail, last.seq() + 1, last.hash());
  }

  private static @Nullable String firstLine(FileChannel ch) throws IOException {
    ByteBuffer head = ByteBuffer.allocate((int) Math.min(ch.size(), TrailLine.MAX_LINE_BYTES));
    ch.read(head, 0);
    String s = new String(head.array(), 0, head.position(), StandardCharsets.US_ASCII);
    int nl = s.indexOf('\n');
    return nl < 0 ? null : s.substring(0, nl);
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

  /** Returns the next record of {@code type}, chained after the last one appended. */
  TrailLine next(String type, String time, String fields) {
    return TrailLine.make(nextSeq, time, type, fields, lastHash);
  }

  /** Returns the hash of the last record appended. */
  String lastHash() {
    return lastHash;
  }

  /** Appends a record made by {@link #next} (written, not yet forced to disk). */
  void append(TrailLine line) throws IOException {
    ByteBuffer b = ByteBuffer.wrap((line.text() + "\n").getBytes(StandardCharsets.US_ASCII));
    long at = channel.size();
    while (b.hasRemaining()) {
      at += channel.write(b, at);
    }
    nextSeq = line.seq() + 1;
    lastHash = line.hash();
  }

  /** Forces what was appended to the disk. */
  void sync() throws IOException {
    channel.force(false);
  }

  Path path() {
    return path;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
