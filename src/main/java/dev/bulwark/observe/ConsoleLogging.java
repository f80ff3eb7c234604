package dev.bulwark.observe;

import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Routes application logs (Bulwark, Vert.x, Netty) to standard error, one line each; stack traces
 * appear only here, never in a response.
 */
public final class ConsoleLogging {
  // Held strongly: a logger's level set through a dropped reference could be lost to GC.
  private static final Logger ROOT = Logger.getLogger("");
  private static final Logger NETTY = Logger.getLogger("io.netty");

  private ConsoleLogging() {}

  /** Installs the one-line format on the root logger. */
  public static void install(Level level) {
    Logger root = ROOT;
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler h = new ConsoleHandler();
    h.setLevel(level);
    h.setFormatter(
        new Formatter() {
          @Override
          public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder(128);
            sb.append(Instant.ofEpochMilli(r.getMillis()))
                .append(' ')
                .append(r.getLevel().getName())
                .append(' ');
            String name = r.getLoggerName() == null ? "" : r.getLoggerName();
            sb.append(name.substring(name.lastIndexOf('.') + 1))
                .append(": ")
                .append(formatMessage(r))
                .append('\n');
            Throwable t = r.getThrown();
            if (t != null) {
              java.io.StringWriter w = new java.io.StringWriter();
              t.printStackTrace(new java.io.PrintWriter(w));
              sb.append(w);
            }
            return sb.toString();
          }
        });
    root.addHandler(h);
    root.setLevel(level);
    NETTY.setLevel(Level.WARNING);
  }
}
