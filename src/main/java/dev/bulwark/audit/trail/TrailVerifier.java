package dev.bulwark.audit.trail;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Proves a trail file without its key: every line a record, numbered in order, each chained to the
 * one before and matching its own hash, every checkpoint signed by the trail's key (the one given,
 * else the first start record's), and the last line whole. Each break is one finding naming the
 * line and what it means; after a break the chain is followed from the record found, so that one
 * edit is not reported again for every record after it.
 */
public final class TrailVerifier {
  /** Findings past this many are counted, not listed. */
  static final int MAX_FINDINGS = 100;

  /**
   * What a verification found.
   *
   * @param records the records read
   * @param checkpoints the checkpoints whose signature verified
   * @param lastCheckpointSeq the sequence number of the last good checkpoint, or -1
   * @param lastSeq the last record's sequence number, or -1
   * @param findings one line per break, in file order
   * @param more findings past {@link #MAX_FINDINGS}, not listed
   */
  public record Report(
      long records,
      long checkpoints,
      long lastCheckpointSeq,
      long lastSeq,
      List<String> findings,
      long more) {
    public Report {
      findings = List.copyOf(findings);
    }

    /** Returns whether the trail is intact. */
    public boolean intact() {
      return findings.isEmpty();
    }
  }

  private final @Nullable PublicKey pinned;
  private final List<String> findings = new ArrayList<>();
  private long more;

  private TrailVerifier(@Nullable PublicKey pinned) {
    this.pinned = pinned;
  }

  /**
   * Verifies {@code file}, checking checkpoints against {@code publicKey} (base64, as in {@code
   * audit-signing.pub}) when given.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException when {@code publicKey} is not a key
   */
  public static Report verify(Path file, @Nullable String publicKey) throws IOException {
    PublicKey pinned = publicKey == null ? null : CheckpointKey.parsePublic(publicKey);
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      return new TrailVerifier(pinned).run(in);
    }
  }

  private Report run(InputStream in) throws IOException {
    long lineNo = 0;
    long expected = 0;
    String prevHash = TrailLine.GENESIS;
    // The hash of the last record found out of order: the record after it may follow either.
    String strayHash = TrailLine.GENESIS;
    @Nullable String trail = null;
    @Nullable PublicKey key = pinned;
    long records = 0;
    long checkpoints = 0;
    long lastCheckpoint = -1;
    long lastSeq = -1;
    LineReader lines = new LineReader(in);
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
      records++;
      String at = "line " + lineNo + " (seq " + r.seq() + ")";
      if (!r.hashMatches()) {
        find(at + ": altered (its hash does not match its content)");
      } else if (r.seq() > expected) {
        find(
            at
                + ": records "
                + range(expected, r.seq() - 1)
                + " are missing here (removed, or moved later)");
      } else if (r.seq() < expected) {
        find(
            at + ": out of order (seq " + expected + " expected; inserted, reordered or replayed)");
      } else if (!TrailLine.sameHash(r.prev(), prevHash)
          && !TrailLine.sameHash(r.prev(), strayHash)) {
        find(at + ": does not follow the record before it (inserted, reordered or replaced)");
      }
      if (r.type().equals(TrailLine.START)) {
        String t = r.value("trail");
        String k = r.value("key");
        if (trail == null) {
          trail = t;
        } else if (!Objects.equals(trail, t)) {
          find(at + ": start record of another trail (" + t + ", not " + trail + ")");
        }
        if (key == null && k != null) {
          try {
            key = CheckpointKey.parsePublic(k);
          } catch (IllegalArgumentException e) {
            find(at + ": start record with no valid key");
          }
        }
      } else if (r.type().equals(TrailLine.CHECKPOINT)) {
        String sig = r.value("sig");
        if (key == null
            || trail == null
            || sig == null
            || !CheckpointKey.verify(key, trail, r.seq(), r.prev(), sig)) {
          find(at + ": forged checkpoint (its signature does not verify under the trail's key)");
        } else {
          checkpoints++;
          lastCheckpoint = r.seq();
        }
      }
      if (r.seq() < expected) {
        strayHash = r.hash();
        continue;
      }
      expected = r.seq() + 1;
      prevHash = r.hash();
      lastSeq = r.seq();
    }
    if (lineNo == 0) {
      find("empty file (not an audit trail)");
    }
    return new Report(records, checkpoints, lastCheckpoint, lastSeq, List.copyOf(findings), more);
  }

  private static String range(long from, long to) {
    return from == to ? Long.toString(from) : from + ".." + to;
  }

  private void find(String finding) {
    if (findings.size() < MAX_FINDINGS) {
      findings.add(finding);
    } else {
      more++;
    }
  }

  /** Reads ASCII lines of at most {@link TrailLine#MAX_LINE_BYTES}, knowing whether each ended. */
  private static final class LineReader {
    private final InputStream in;
    private final byte[] buf = new byte[TrailLine.MAX_LINE_BYTES + 1];
    private boolean ended;

    LineReader(InputStream in) {
      this.in = in;
    }

    @Nullable String next() throws IOException {
      int n = 0;
      int b;
      boolean overlong = false;
      while ((b = in.read()) >= 0 && b != '\n') {
        if (n < buf.length) {
          buf[n++] = (byte) b;
        } else {
          overlong = true;
        }
      }
      ended = b == '\n';
      if (b < 0 && n == 0) {
        return null;
      }
      return overlong ? "" : new String(buf, 0, n, StandardCharsets.ISO_8859_1);
    }

    boolean lastEndedWithNewline() {
      return ended;
    }
  }
}
