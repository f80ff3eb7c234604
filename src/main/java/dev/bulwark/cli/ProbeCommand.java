package dev.bulwark.cli;

import dev.bulwark.probe.CheckFamily;
import dev.bulwark.probe.JsonReportWriter;
import dev.bulwark.probe.Probe;
import dev.bulwark.probe.ProbeOptions;
import dev.bulwark.probe.ProbeReport;
import dev.bulwark.probe.ProbeTarget;
import dev.bulwark.probe.SarifReportWriter;
import dev.bulwark.probe.TextReportWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bulwark probe URL}: grades any HTTPS deployment against the hardening checklist. */
@Command(
    name = "probe",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Grade an HTTPS deployment from the outside: TLS, headers, CORS, error masking, limits.",
      "Probe only systems you own or are allowed to test.",
      "Exit codes: 0 done, 1 score below --min-score, 2 usage error, 3 target could not be probed."
    })
public final class ProbeCommand implements Callable<Integer> {
  static final int EXIT_BELOW_MIN_SCORE = 1;
  static final int EXIT_NOT_PROBED = 3;

  /** When to colour the table. */
  enum ColourMode {
    auto,
    always,
    never
  }

  @Parameters(index = "0", paramLabel = "URL", description = "https:// URL of the deployment")
  @SuppressWarnings("NullAway.Init")
  String url;

  @Option(names = "--path", paramLabel = "PATH", description = "path the HTTP checks request")
  @Nullable String path;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description = "write the JSON report (- for stdout)")
  @Nullable String json;

  @Option(names = "--sarif", paramLabel = "FILE", description = "write a SARIF 2.1.0 report")
  @Nullable Path sarif;

  @Option(
      names = "--min-score",
      paramLabel = "N",
      description = "exit 1 when the score is below N (0-100)")
  @Nullable Integer minScore;

  @Option(
      names = "--intrusive",
      description = "also run smuggling and slow-header probes (you assert you own the target)")
  boolean intrusive;

  @Option(
      names = {"-k", "--insecure"},
      description = "continue after an untrusted certificate (it is still reported)")
  boolean insecure;

  @Option(
      names = "--ca-file",
      paramLabel = "PEM",
      description = "trust these CAs instead of the JDK's")
  @Nullable Path caFile;

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      defaultValue = "80",
      description = "plain-HTTP port that should redirect (default: ${DEFAULT-VALUE})")
  int httpPort;

  @Option(
      names = "--burst",
      paramLabel = "N",
      defaultValue = "50",
      description = "requests in the rate-limit burst, at most 500 (default: ${DEFAULT-VALUE})")
  int burst;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "10",
      description = "deadline of each connection and exchange (default: ${DEFAULT-VALUE})")
  int timeoutSeconds;

  @Option(
      names = "--slow-header-seconds",
      paramLabel = "SECONDS",
      defaultValue = "20",
      description = "how long the slow-header probe trickles headers (default: ${DEFAULT-VALUE})")
  int slowHeaderSeconds;

  @Option(
      names = "--only",
      paramLabel = "FAMILY",
      split = ",",
      description = "run only these families: transport, headers, cors, errors, limits, smuggling")
  @Nullable List<String> only;

  @Option(
      names = "--color",
      paramLabel = "WHEN",
      defaultValue = "auto",
      description = "colour the table: auto, always, never (default: ${DEFAULT-VALUE})")
  ColourMode colour = ColourMode.auto;

  @CommandLine.Spec
  @SuppressWarnings("NullAway.Init")
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    ProbeOptions options;
    try {
      options = options();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    ProbeReport report;
    try {
      report = new Probe(options).run();
    } catch (IllegalArgumentException e) {
      // An unreadable --ca-file and the like: a clear message, never a stack trace.
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    boolean jsonToStdout = "-".equals(json);
    PrintWriter out = spec.commandLine().getOut();
    if (!jsonToStdout) {
      new TextReportWriter(useColour()).write(report, out);
    }
    if (json != null) {
      if (jsonToStdout) {
        OutputStream stdout = System.out;
        new JsonReportWriter().write(report, stdout);
        stdout.flush();
      } else {
        try (OutputStream file = Files.newOutputStream(Path.of(json))) {
          new JsonReportWriter().write(report, file);
        }
      }
    }
    if (sarif != null) {
      try (OutputStream file = Files.newOutputStream(sarif)) {
        new SarifReportWriter().write(report, file);
      }
    }
    if (report.aborted()) {
      return EXIT_NOT_PROBED;
    }
    if (minScore != null && report.score().value() < minScore) {
      spec.commandLine()
          .getErr()
          .println("score " + report.score().value() + " is below --min-score " + minScore);
      return EXIT_BELOW_MIN_SCORE;
    }
    return 0;
  }

  ProbeOptions options() {
    if (minScore != null && (minScore < 0 || minScore > 100)) {
      throw new IllegalArgumentException("min-score: " + minScore + " (expected: 0-100)");
    }
    Set<CheckFamily> families = EnumSet.allOf(CheckFamily.class);
    if (only != null && !only.isEmpty()) {
      families = EnumSet.noneOf(CheckFamily.class);
      for (String label : only) {
        families.add(CheckFamily.fromLabel(label));
      }
    }
    return ProbeOptions.builder(ProbeTarget.parse(url, path))
        .httpPort(httpPort)
        .insecure(insecure)
        .caFile(caFile)
        .burst(burst)
        .intrusive(intrusive)
        .timeout(Duration.ofSeconds(timeoutSeconds))
        .slowHeaderBudget(Duration.ofSeconds(slowHeaderSeconds))
        .families(families)
        .build();
  }

  private boolean useColour() {
    return switch (colour) {
      case always -> true;
      case never -> false;
      case auto ->
          System.console() != null
              && System.getenv("NO_COLOR") == null
              && !"dumb".equals(System.getenv("TERM"));
    };
  }
}
