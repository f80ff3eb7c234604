package dev.bulwark.audit.trail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Reads a trail file's lines of at most {@link TrailLine#MAX_LINE_BYTES} (a longer one is read as
 * the empty string, which is no record), knowing whether each ended with a newline.
 */
final class TrailLines {
  private final InputStream in;
  private final byte[] buf = new byte[TrailLine.MAX_LINE_BYTES + 1];
  // Read in blocks and scanned here: a read() call per byte was a third of verify's time.
  private final byte[] block = new byte[1 << 16];
  private int pos;
  private int limit;
  private boolean ended;

  TrailLines(InputStream in) {
    this.in = in;
  }

  /** Returns the next line without its newline, or null at the end. */
  @Nullable String next() throws IOException {
    int n = 0;
    boolean overlong = false;
    boolean newline = false;
    while (true) {
      if (pos == limit) {
        int read = in.read(block, 0, block.length);
        pos = 0;
        limit = Math.max(0, read);
        if (read <= 0) {
          break;
        }
      }
      int start = pos;
      int i = start;
      while (i < limit && block[i] != '\n') {
        i++;
      }
      int len = i - start;
      int take = Math.min(len, buf.length - n);
      System.arraycopy(block, start, buf, n, take);
      n += take;
      if (take < len) {
        overlong = true;
      }
      if (i < limit) {
        pos = i + 1;
        newline = true;
        break;
      }
      pos = limit;
    }
    ended = newline;
    if (!newline && n == 0) {
      return null;
    }
    return overlong ? "" : new String(buf, 0, n, StandardCharsets.ISO_8859_1);
  }

  /** Returns whether the line last returned ended with a newline. */
  boolean lastEndedWithNewline() {
    return ended;
  }
}
