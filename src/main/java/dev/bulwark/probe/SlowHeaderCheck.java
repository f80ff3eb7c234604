package dev.bulwark.probe;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The slow-header probe (only with {@code --intrusive}): one connection that sends a header line at
 * a steady trickle and never finishes; a hardened server closes it or answers 408 well before the
 * probe's budget runs out.
 */
final class SlowHeaderCheck {
  static final Check SLOW_HEADERS =
      new Check(
          "limits.slow-headers",
          CheckFamily.LIMITS,
          Severity.HIGH,
          "Slowly trickled headers are cut off (slowloris)",
          "Give the whole request header section a deadline (e.g. 10 s) from the first byte and"
              + " answer 408 or close; an idle timeout alone does not stop a trickle.");

  private final ProbeContext context;

  SlowHeaderCheck(ProbeContext context) {
    this.context = context;
  }

  /** Returns the interval between trickled header lines for the given budget. */
  static Duration interval(Duration budget) {
    Duration fifth = budget.dividedBy(5);
    return fifth.compareTo(Duration.ofSeconds(1)) < 0 ? fifth : Duration.ofSeconds(1);
  }

  Finding run() {
    Duration budget = context.options().slowHeaderBudget();
    long intervalMillis = Math.max(50, interval(budget).toMillis());
    long start = System.nanoTime();
    long end = start + budget.toNanos();
    try (Socket socket = context.connector().open();
        Deadline deadline = Deadline.start(socket, budget.toMillis() + 2_000)) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      context.client().countRequest();
      out.write(
          ("GET "
                  + context.target().path()
                  + " HTTP/1.1\r\nHost: "
                  + context.target().authority()
                  + "\r\nUser-Agent: "
                  + context.options().userAgent()
                  + "\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      int lines = 0;
      while (System.nanoTime() < end) {
        socket.setSoTimeout((int) intervalMillis);
        try {
          byte[] answer = new byte[64];
          int n = in.read(answer);
          String elapsed = seconds(System.nanoTime() - start);
          if (n < 0) {
            return SLOW_HEADERS.pass(
                "connection closed after " + elapsed + " and " + lines + " lines");
          }
          return SLOW_HEADERS.pass(
              "answered after "
                  + elapsed
                  + ": "
                  + ResponseReader.printable(
                      new String(answer, 0, n, StandardCharsets.ISO_8859_1)));
        } catch (SocketTimeoutException quiet) {
          // still open and silent: trickle one more line
        }
        try {
          out.write(("X-Bulwark-Probe-" + lines + ": a\r\n").getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          lines++;
        } catch (IOException e) {
          return SLOW_HEADERS.pass(
              "connection refused more header bytes after " + seconds(System.nanoTime() - start));
        }
      }
      if (deadline.expired()) {
        return SLOW_HEADERS.warn("probe deadline passed before the budget; inconclusive");
      }
      return SLOW_HEADERS.fail(
          "an incomplete request stayed open for "
              + seconds(budget.toNanos())
              + " while "
              + lines
              + " header lines trickled in, one every "
              + intervalMillis
              + " ms");
    } catch (IOException e) {
      String elapsed = seconds(System.nanoTime() - start);
      return SLOW_HEADERS.pass(
          "connection ended after " + elapsed + " (" + ProbeContext.describe(e) + ")");
    }
  }

  private static String seconds(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
  }
}
