package dev.bulwark.audit.trail;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Proves a trail without its key: every line a record, numbered in order, each chained to the one
 * before and matching its own hash, every checkpoint and anchor signed by the trail's key (the one
 * given, else the first record's), and the last line whole. A trail of several files (rotated) is
 * proved in order: each file after the first starts with an anchor chained to the previous file's
 * last record, and a missing file is named as a gap; the first file may start at an anchor (older
 * files deleted by retention). Each break is one finding naming the line and what it means; after a
 * break the chain is followed from the record found, so that one edit is not reported again for
 * every record after it. Notes say what is not a break: where the trail starts, a restart that cut
 * a torn record.
 */
public final class TrailVerifier {
  /** Findings past this many are counted, not listed. */
  static final int MAX_FINDINGS = 100;

  /**
   * What a verification found.
   *
   * @param files the files read
   * @param records the records read
   * @param checkpoints the checkpoints whose signature verified
   * @param firstSeq the first record's sequence number (more than 0 when older files are gone)
   * @param lastCheckpointSeq the sequence number of the last good checkpoint, or -1
   * @param lastSeq the last record's sequence number, or -1
   * @param findings one line per break, in file order
   * @param more findings past {@link #MAX_FINDINGS}, not listed
   * @param notes what is worth knowing but no break
   */
  public record Report(
      int files,
      long records,
      long checkpoints,
      long firstSeq,
      long lastCheckpointSeq,
      long lastSeq,
      List<String> findings,
      long more,
      List<String> notes) {
    public Report {
      findings = List.copyOf(findings);
      notes = List.copyOf(notes);
    }

    /** Returns whether the trail is intact. */
    public boolean intact() {
      return findings.isEmpty();
    }
  }

  private final @Nullable PublicKey pinned;
  private final List<String> findings = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private long more;
  private String where = "";
  private long expected = -1;
  private String prevHash = TrailLine.GENESIS;
  // The hash of the last record found out of order: the record after it may follow either.
  private String strayHash = TrailLine.GENESIS;
  private @Nullable String trail;
  private @Nullable PublicKey key;
  private long records;
  private long checkpoints;
  private long firstSeq = -1;
  private long lastCheckpoint = -1;
  private long lastSeq = -1;
  private @Nullable String lastType;
  // What happened to the records before a trail that starts at an anchor.
  private String before = "were in older files, deleted or not given";

  private TrailVerifier(@Nullable PublicKey pinned) {
    this.pinned = pinned;
    this.key = pinned;
  }

  /**
   * Verifies one file, checking checkpoints against {@code publicKey} (base64, as in {@code
   * audit-signing.pub}) when given.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException when {@code publicKey} is not a key
   */
  public static Report verify(Path file, @Nullable String publicKey) throws IOException {
    return verify(List.of(file), publicKey, false);
  }

  /**
   * Verifies the files of one trail in their order (see {@link #filesOf}), each finding prefixed
   * with its file's path.
   */
  public static Report verifySet(List<Path> files, @Nullable String publicKey) throws IOException {
    return verify(files, publicKey, true);
  }

  /** One record as a table holds it, read in sequence order; see {@link #verifyRows}. */
  @FunctionalInterface
  interface RowSource {
    /**
     * Returns the next row's record text (as {@link TrailLine#text()} makes it, rebuilt from the
     * row's columns) with its sequence number, or null after the last row.
     */
    @Nullable Row next() throws IOException;
  }

  /**
   * One row: its sequence number column and the record text its columns make.
   *
   * @param seq the row's sequence number
   * @param text the record line its columns make
   */
  record Row(long seq, String text) {}

  /**
   * The end of a table's chain as its head row says: the sequence number the next record gets and
   * the hash of the last record.
   *
   * @param next the next sequence number
   * @param lastHash the last record's hash
   */
  record Head(long next, String lastHash) {}

  /**
   * Verifies a trail kept as rows (the PostgreSQL sink), in sequence order, with the same checks as
   * a file's lines; findings name {@code seq N}. The chain's head (kept beside the rows) says where
   * the trail ends, so whole records cut from the end are named as a truncated tail.
   */
  static Report verifyRows(RowSource rows, @Nullable Head head, @Nullable String publicKey)
      throws IOException {
    PublicKey pinned = publicKey == null ? null : CheckpointKey.parsePublic(publicKey);
    TrailVerifier v = new TrailVerifier(pinned);
    v.before = "were removed by retention";
    long n = 0;
    Row row;
    while ((row = rows.next()) != null) {
      n++;
      TrailLine r = TrailLine.parse(row.text());
      String at = "seq " + row.seq();
      if (r == null || r.seq() != row.seq()) {
        v.find(at + ": not a record (altered, or something was inserted)");
        continue;
      }
      if (n == 1) {
        if (v.firstOfFile(r, at, null, Path.of("-"))) {
          v.follow(r, at);
        }
        continue;
      }
      // An anchor inside a table is a retention point: chained and signed like any record.
      v.follow(r, at);
    }
    if (n == 0) {
      v.find("no records (not an audit trail, or every record was removed)");
    }
    if (head != null && n > 0) {
      if (head.next() > v.expected) {
        v.find(
            "seq "
                + v.expected
                + ": truncated tail: records "
                + range(v.expected, head.next() - 1)
                + " are missing at the end (the chain head says the trail ends at seq "
                + (head.next() - 1)
                + ")");
      } else if (head.next() == v.expected && !TrailLine.sameHash(head.lastHash(), v.prevHash)) {
        v.find(
            "seq "
                + v.lastSeq
                + ": the last record is not the one the chain head names (replaced after it was"
                + " written)");
      } else if (head.next() < v.expected) {
        v.find(
            "seq "
                + head.next()
                + ": records past the chain head (seq "
                + (head.next() - 1)
                + ") were appended without it (inserted)");
      }
    }
    return new Report(
        1,
        v.records,
        v.checkpoints,
        Math.max(0, v.firstSeq),
        v.lastCheckpoint,
        v.lastSeq,
        v.findings,
        v.more,
        v.notes);
  }

  private static Report verify(List<Path> files, @Nullable String publicKey, boolean named)
      throws IOException {
    PublicKey pinned = publicKey == null ? null : CheckpointKey.parsePublic(publicKey);
    TrailVerifier v = new TrailVerifier(pinned);
    Path previous = null;
    for (Path file : files) {
      v.where = named ? file + ": " : "";
      try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
        v.run(in, previous, file);
      }
      previous = file;
    }
    return new Report(
        files.size(),
        v.records,
        v.checkpoints,
        Math.max(0, v.firstSeq),
        v.lastCheckpoint,
        v.lastSeq,
        v.findings,
        v.more,
        v.notes);
  }

  /**
   * Returns the trails in {@code dir}, by the name of their active file, each as its files in
   * order: rotated files ({@code NAME.00000001}, ...) by number, then the active file.
   */
  public static Map<String, List<Path>> trailsIn(Path dir) throws IOException {
    return TrailSegments.inDirectory(dir);
  }

  private void run(InputStream in, @Nullable Path previous, Path file) throws IOException {
    long lineNo = 0;
    TrailLines lines = new TrailLines(in);
    String text;
    while ((text = lines.next()) != null) {
      lineNo++;
      if (!lines.lastEndedWithNewline()) {
        find("line " + lineNo + ": truncated tail (the last record is incomplete)");
        break;
      }
      TrailLine r = TrailLine.parse(text);
      if (r == null) {
        find("line " + lineNo + ": not a record (altered, or something was inserted)");
        continue;
      }
      String at = "line " + lineNo + " (seq " + r.seq() + ")";
      if (lineNo == 1) {
        if (firstOfFile(r, at, previous, file)) {
          follow(r, at);
        } else {
          records++;
        }
        continue;
      }
      if (r.type().equals(TrailLine.ANCHOR)) {
        find(at + ": an anchor inside a file (files joined, or a record inserted)");
      }
      follow(r, at);
    }
    if (lineNo == 0) {
      find("empty file (not an audit trail)");
    }
  }

  /** Checks one record against the chain so far and its own hash and signature, then follows it. */
  private void follow(TrailLine r, String at) {
    records++;
    if (!r.hashMatches()) {
      find(at + ": altered (its hash does not match its content)");
    } else if (r.seq() > expected) {
      find(
          at
              + ": records "
              + range(expected, r.seq() - 1)
              + " are missing here (removed, or moved later)");
    } else if (r.seq() < expected) {
      find(at + ": out of order (seq " + expected + " expected; inserted, reordered or replayed)");
    } else if (!TrailLine.sameHash(r.prev(), prevHash)
        && !TrailLine.sameHash(r.prev(), strayHash)) {
      find(at + ": does not follow the record before it (inserted, reordered or replaced)");
    }
    check(r, at);
    if (r.seq() < expected) {
      strayHash = r.hash();
      return;
    }
    advance(r);
  }

  /**
   * Checks the first record of a file: a start record at seq 0 opens a trail, an anchor continues
   * one (after the previous file, or as the first file left by retention). Returns whether the
   * record's chain checks are still to be made.
   */
  private boolean firstOfFile(TrailLine r, String at, @Nullable Path previous, Path file) {
    boolean anchor = r.type().equals(TrailLine.ANCHOR);
    if (previous == null) {
      if (anchor) {
        notes.add(
            where
                + at
                + ": the trail starts at an anchor (records 0.."
                + (r.seq() - 1)
                + " "
                + before
                + ")");
        expected = r.seq();
        prevHash = r.prev();
        strayHash = r.prev();
      } else {
        expected = 0;
      }
      firstSeq = r.seq();
      return true;
    }
    if (!TrailLine.CHECKPOINT.equals(lastType)) {
      find(
          previous
              + ": does not end with a checkpoint (its last records were cut, or it is not the file"
              + " before "
              + file.getFileName()
              + ")");
    }
    if (!anchor) {
      find(
          at
              + ": does not start with an anchor (not the file after "
              + previous.getFileName()
              + ")");
      return true;
    }
    if (r.seq() > expected) {
      find(
          at
              + ": gap between "
              + previous.getFileName()
              + " and "
              + file.getFileName()
              + ": records "
              + range(expected, r.seq() - 1)
              + " are missing (a file removed from the middle)");
      check(r, at);
      advance(r);
      return false;
    }
    return true;
  }

  /** Checks what a record of its type carries: trail identity, key, signature. */
  private void check(TrailLine r, String at) {
    String type = r.type();
    if (type.equals(TrailLine.START) || type.equals(TrailLine.ANCHOR)) {
      String t = r.value("trail");
      String k = r.value("key");
      if (trail == null) {
        trail = t;
      } else if (!Objects.equals(trail, t)) {
        find(at + ": " + type + " record of another trail (" + t + ", not " + trail + ")");
      }
      if (key == null && k != null) {
        try {
          key = CheckpointKey.parsePublic(k);
        } catch (IllegalArgumentException e) {
          find(at + ": " + type + " record with no valid key");
        }
      }
      String torn = r.value("torn");
      if (torn != null) {
        notes.add(
            where
                + at
                + ": a restart after a crash cut a torn last record ("
                + torn
                + " bytes; it was never acknowledged)");
      }
    }
    if (type.equals(TrailLine.CHECKPOINT) || type.equals(TrailLine.ANCHOR)) {
      String sig = r.value("sig");
      if (key == null
          || trail == null
          || sig == null
          || !CheckpointKey.verify(key, trail, r.seq(), r.prev(), sig)) {
        find(at + ": forged " + type + " (its signature does not verify under the trail's key)");
      } else if (type.equals(TrailLine.CHECKPOINT)) {
        checkpoints++;
        lastCheckpoint = r.seq();
      }
    }
  }

  private void advance(TrailLine r) {
    expected = r.seq() + 1;
    prevHash = r.hash();
    lastSeq = r.seq();
    lastType = r.type();
  }

  private static String range(long from, long to) {
    return from == to ? Long.toString(from) : from + ".." + to;
  }

  private void find(String finding) {
    if (findings.size() < MAX_FINDINGS) {
      findings.add(where + finding);
    } else {
      more++;
    }
  }
}
