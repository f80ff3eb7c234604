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
  private boolean ended;

  TrailLines(InputStream in) {
    this.in = in;
  }

  /** Returns the next line without its newline, or null at the end. */
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

  /** Returns whether the line last returned ended with a newline. */
  boolean lastEndedWithNewline() {
    return ended;
  }
}
