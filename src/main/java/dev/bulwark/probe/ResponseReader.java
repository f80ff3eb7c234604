package dev.bulwark.probe;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads one HTTP/1.x response from a stream without ever holding more than the set bounds. */
final class ResponseReader {
  static final int MAX_LINE = 16 * 1024;
  static final int MAX_HEADER_BYTES = 64 * 1024;
  static final int MAX_HEADER_COUNT = 256;
  private static final int MAX_INTERIM_RESPONSES = 5;

  private final InputStream in;
  private final int maxBodyBytes;

  ResponseReader(InputStream in, int maxBodyBytes) {
    this.in = in;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Reads the next final response; {@code headRequest} means no body follows. */
  ProbeResponse read(boolean headRequest, long startNanos) throws IOException {
    for (int interim = 0; ; interim++) {
      String statusLine = readLine(true);
      int status = parseStatus(statusLine);
      List<HeaderField> headers = readHeaders();
      if (status >= 100 && status < 200 && status != 101) {
        if (interim >= MAX_INTERIM_RESPONSES) {
          throw new ProtocolException("more than " + MAX_INTERIM_RESPONSES + " 1xx responses");
        }
        continue;
      }
      Body body = readBody(status, headers, headRequest);
      boolean closes =
          headers.stream()
              .anyMatch(
                  h -> h.is("Connection") && h.value().toLowerCase(Locale.ROOT).contains("close"));
      boolean http10 = statusLine.startsWith("HTTP/1.0");
      return new ProbeResponse(
          status,
          statusLine,
          headers,
          body.text,
          body.truncated,
          body.complete && !closes && !http10,
          Duration.ofNanos(System.nanoTime() - startNanos));
    }
  }

  private static int parseStatus(String statusLine) throws ProtocolException {
    if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
      throw new ProtocolException("not an HTTP/1.x status line: " + printable(statusLine));
    }
    try {
      int status = Integer.parseInt(statusLine.substring(9, 12));
      if (status < 100 || status > 999) {
        throw new ProtocolException("status out of range: " + printable(statusLine));
      }
      return status;
    } catch (NumberFormatException e) {
      throw new ProtocolException("no status code: " + printable(statusLine));
    }
  }

  private List<HeaderField> readHeaders() throws IOException {
    List<HeaderField> headers = new ArrayList<>();
    int total = 0;
    while (true) {
      String line = readLine(false);
      if (line.isEmpty()) {
        return headers;
      }
      total += line.length();
      if (total > MAX_HEADER_BYTES || headers.size() >= MAX_HEADER_COUNT) {
        throw new ProtocolException("response header section over the probe's bounds");
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue; // tolerate junk lines; the checks only look at well-formed fields
      }
      headers.add(
          new HeaderField(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
    }
  }

  private record Body(String text, boolean truncated, boolean complete) {}

  private Body readBody(int status, List<HeaderField> headers, boolean headRequest)
      throws IOException {
    if (headRequest || status == 204 || status == 304 || status == 101) {
      return new Body("", false, true);
    }
    String transferEncoding = null;
    String contentLength = null;
    for (HeaderField h : headers) {
      if (h.is("Transfer-Encoding")) {
        transferEncoding = h.value();
      } else if (h.is("Content-Length") && contentLength == null) {
        contentLength = h.value();
      }
    }
    BoundedBuffer buffer = new BoundedBuffer(maxBodyBytes);
    if (transferEncoding != null
        && transferEncoding.toLowerCase(Locale.ROOT).trim().endsWith("chunked")) {
      return readChunked(buffer);
    }
    if (contentLength != null) {
      long length;
      try {
        length = Long.parseLong(contentLength.trim());
      } catch (NumberFormatException e) {
        throw new ProtocolException("bad Content-Length: " + printable(contentLength));
      }
      long remaining = length;
      byte[] chunk = new byte[8192];
      while (remaining > 0) {
        if (buffer.full()) {
          return new Body(buffer.text(), true, false);
        }
        int n = in.read(chunk, 0, (int) Math.min(chunk.length, remaining));
        if (n < 0) {
          return new Body(buffer.text(), false, false);
        }
        buffer.add(chunk, n);
        remaining -= n;
      }
      return new Body(buffer.text(), buffer.dropped(), true);
    }
    byte[] chunk = new byte[8192];
    while (!buffer.full()) {
      int n = in.read(chunk);
      if (n < 0) {
        return new Body(buffer.text(), false, false);
      }
      buffer.add(chunk, n);
    }
    return new Body(buffer.text(), true, false);
  }

  private Body readChunked(BoundedBuffer buffer) throws IOException {
    byte[] chunk = new byte[8192];
    while (true) {
      String sizeLine = readLine(false);
      int semicolon = sizeLine.indexOf(';');
      String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim();
      long size;
      try {
        size = Long.parseLong(hex, 16);
      } catch (NumberFormatException e) {
        throw new ProtocolException("bad chunk size: " + printable(sizeLine));
      }
      if (size < 0) {
        throw new ProtocolException("bad chunk size: " + printable(sizeLine));
      }
      if (size == 0) {
        for (int trailers = 0; !readLine(false).isEmpty(); trailers++) {
          if (trailers > MAX_HEADER_COUNT) {
            throw new ProtocolException("too many trailer lines");
          }
        }
        return new Body(buffer.text(), buffer.dropped(), true);
      }
      long remaining = size;
      while (remaining > 0) {
        if (buffer.full()) {
          return new Body(buffer.text(), true, false);
        }
        int n = in.read(chunk, 0, (int) Math.min(chunk.length, remaining));
        if (n < 0) {
          return new Body(buffer.text(), false, false);
        }
        buffer.add(chunk, n);
        remaining -= n;
      }
      readLine(false);
    }
  }

  /** Reads one line ending in LF, dropping the CR; EOF before any byte is an EOFException. */
  private String readLine(boolean first) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (line.size() == 0 || !first) {
          throw new EOFException(
              first ? "connection closed before any response" : "connection closed mid-response");
        }
        break;
      }
      if (b == '\n') {
        break;
      }
      if (line.size() >= MAX_LINE) {
        throw new ProtocolException("response line longer than " + MAX_LINE + " bytes");
      }
      line.write(b);
    }
    String text = line.toString(StandardCharsets.ISO_8859_1);
    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
  }

  /** Returns the text with control bytes escaped and at most 60 characters, for evidence. */
  static String printable(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length() && out.length() < 60; i++) {
      char c = text.charAt(i);
      if (c >= 0x20 && c < 0x7f) {
        out.append(c);
      } else {
        out.append(String.format(Locale.ROOT, "\\x%02x", (int) c & 0xff));
      }
    }
    return out.toString();
  }

  /** Keeps at most a fixed number of body bytes. */
  private static final class BoundedBuffer {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final int limit;

    BoundedBuffer(int limit) {
      this.limit = limit;
    }

    boolean full() {
      return bytes.size() >= limit;
    }

    private boolean dropped;

    void add(byte[] chunk, int n) {
      int room = limit - bytes.size();
      if (n > room) {
        dropped = true;
      }
      bytes.write(chunk, 0, Math.min(n, room));
    }

    boolean dropped() {
      return dropped;
    }

    String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }
}
