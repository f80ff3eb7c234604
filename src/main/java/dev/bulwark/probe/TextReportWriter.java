package dev.bulwark.probe;

import static java.util.Objects.requireNonNull;

import java.io.PrintWriter;
import java.util.Locale;

/** Writes a report as a table for people: one row per check, evidence and fix hints beneath. */
public final class TextReportWriter {
  private static final String RESET = "\u001b[0m";
  private static final String BOLD = "\u001b[1m";
  private static final String DIM = "\u001b[2m";

  private final boolean colour;

  /** Creates a writer; {@code colour} adds ANSI colours for a terminal. */
  public TextReportWriter(boolean colour) {
    this.colour = colour;
  }

  /** Writes the report to the given writer and flushes it. */
  public void write(ProbeReport report, PrintWriter out) {
    requireNonNull(report, "report");
    requireNonNull(out, "out");
    out.println(
        style(BOLD, "bulwark probe " + report.target())
            + style(
                DIM,
                String.format(
                    Locale.ROOT,
                    "  (%d requests, %.1f s)",
                    report.requestsSent(),
                    report.elapsed().toMillis() / 1000.0)));
    out.println();
    CheckFamily family = null;
    for (Finding f : report.findings()) {
      if (f.family() != family) {
        family = f.family();
        out.println(style(BOLD, family.label()));
      }
      out.printf(Locale.ROOT, "  %s  %-38s %s%n", verdict(f.verdict()), f.id(), f.title());
      out.println("        " + style(DIM, f.evidence()));
      if (!f.hint().isEmpty()) {
        out.println("        fix: " + f.hint());
      }
    }
    out.println();
    if (report.abortedReason() != null) {
      out.println(style(colourOf(Verdict.FAIL), "stopped early: " + report.abortedReason()));
    }
    ProbeScore score = report.score();
    out.printf(
        Locale.ROOT,
        "%s   %d pass, %d warn, %d fail, %d skipped%n",
        style(
            BOLD + colourOfGrade(score.grade()),
            "Score: " + score.value() + "/100 (" + score.grade() + ")"),
        report.count(Verdict.PASS),
        report.count(Verdict.WARN),
        report.count(Verdict.FAIL),
        report.count(Verdict.SKIP));
    out.flush();
  }

  private String verdict(Verdict verdict) {
    return style(colourOf(verdict), String.format(Locale.ROOT, "%-4s", verdict.name()));
  }

  private static String colourOf(Verdict verdict) {
    return switch (verdict) {
      case PASS -> "\u001b[32m";
      case WARN -> "\u001b[33m";
      case FAIL -> "\u001b[31m";
      case SKIP -> DIM;
    };
  }

  private static String colourOfGrade(String grade) {
    return switch (grade) {
      case "A", "B" -> colourOf(Verdict.PASS);
      case "C", "D" -> colourOf(Verdict.WARN);
      default -> colourOf(Verdict.FAIL);
    };
  }

  private String style(String code, String text) {
    return colour ? code + text + RESET : text;
  }
}
