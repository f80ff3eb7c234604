package dev.bulwark.probe;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** The signatures of internal detail that an error response must never show. */
final class LeakPatterns {
  /** A named signature. */
  record Signature(String what, Pattern pattern) {}

  /** What was found and a short excerpt around it. */
  record Leak(String what, String excerpt) {}

  static final List<Signature> SIGNATURES =
      List.of(
          sig(
              "Java stack trace",
              "\\bat [\\w$]+(\\.[\\w$<>]+)+\\(([\\w$]+\\.java:\\d+|Native Method|Unknown Source)\\)"),
          sig("Java stack trace", "Exception in thread \""),
          sig(
              "exception class",
              "\\b(java|javax|jakarta|org\\.springframework|org\\.hibernate|io\\.vertx|io\\.netty"
                  + "|com\\.fasterxml)\\.[\\w.$]*(Exception|Error)\\b"),
          sig(
              "Python traceback",
              "Traceback \\(most recent call last\\)|File \"[^\"]+\", line \\d+"),
          sig(
              "Node.js stack trace",
              "at [^\\n]{0,200}?\\(?/[^\\s():]+\\.(js|mjs|cjs|ts):\\d+:\\d+\\)?"),
          sig(
              ".NET stack trace",
              "\\bat [\\w.]+\\([^)]*\\) in [^\\n]+:line \\d+|System\\.[\\w.]*Exception\\b"),
          sig("PHP error", "(Fatal error|Parse error|Warning|Notice)(</b>)?: .{0,200} on line"),
          sig("Go panic", "goroutine \\d+ \\[running\\]|\\bpanic: "),
          sig("Ruby stack trace", "\\.rb:\\d+:in `"),
          sig(
              "SQL error",
              "SQLSTATE\\[|You have an error in your SQL syntax|\\bORA-\\d{5}\\b|PG::\\w+Error"
                  + "|SQLException|syntax error at or near|sqlite3?\\.\\w*Error"),
          sig(
              "internal path",
              "(?<![\\w/.:-])(/home/|/var/www/|/usr/local/|/usr/share/|/opt/|/srv/|/root/"
                  + "|/etc/|[A-Za-z]:\\\\(Users|inetpub|Windows|Program Files))"),
          sig(
              "framework or version",
              "Apache Tomcat/\\d|Jetty\\(\\d|Werkzeug/\\d|Whitelabel Error Page|Django Version"
                  + "|nginx/\\d+\\.\\d+|Apache/\\d+\\.\\d+|Microsoft-IIS/\\d|PHP/\\d|OpenSSL/\\d"
                  + "|ASP\\.NET (Core )?[Vv]ersion|Python/\\d\\.\\d|Node\\.js v\\d|Phusion Passenger"
                  + "|Spring Boot|Express \\d"));

  private LeakPatterns() {}

  private static Signature sig(String what, String regex) {
    return new Signature(what, Pattern.compile(regex));
  }

  /** Returns the first leak in the text, or {@code null} when it shows nothing internal. */
  static @Nullable Leak find(String text) {
    for (Signature signature : SIGNATURES) {
      Matcher m = signature.pattern().matcher(text);
      if (m.find()) {
        return new Leak(signature.what(), excerpt(text, m.start(), m.end()));
      }
    }
    return null;
  }

  private static String excerpt(String text, int start, int end) {
    int to = Math.min(text.length(), Math.min(Math.max(end, start + 60), start + 100));
    return text.substring(start, to).replaceAll("\\s+", " ").trim();
  }
}
