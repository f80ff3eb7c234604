package dev.bulwark.cli;

import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.Problem;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.endpoint.EndpointCatalog;
import dev.bulwark.fixture.Fixture;
import dev.bulwark.fixture.FixtureFile;
import dev.bulwark.fixture.FixtureResult;
import dev.bulwark.fixture.JunitReport;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.server.OfflineGateway;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bulwark test -c FILE FIXTURES...}: runs each fixture's request through the compiled
 * configuration with no listener and no upstream and compares the decision with what the fixture
 * expects. Exit 0 when every fixture passes, 1 on any mismatch or a refused file, 2 usage.
 */
@Command(
    name = "test",
    description = {
      "Run request fixtures through a configuration's compiled chain (no listener, no upstream)",
      "and check each decision: status, stage, policy, reason, headers.",
      "Exit codes: 0 all passed, 1 a mismatch or a refused file, 2 usage error."
    },
    mixinStandardHelpOptions = true)
final class TestCommand implements Callable<Integer> {
  @Mixin ConfigFileOption configOption = new ConfigFileOption();

  @Parameters(arity = "1..*", paramLabel = "FIXTURES", description = "Fixture files (YAML).")
  @SuppressWarnings("NullAway.Init")
  List<Path> fixtures;

  @Option(names = "--junit", paramLabel = "FILE", description = "Also write a JUnit XML report.")
  @Nullable Path junit;

  @Option(
      names = {"-v", "--verbose"},
      description = "Print every fixture's decision trace, not only the failed ones'.")
  boolean verbose;

  @CommandLine.Spec
  @SuppressWarnings("NullAway.Init")
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path config = configOption.file;
    ConfigLoader.Loaded loaded;
    try {
      loaded =
          EndpointCatalog.standard()
              .loader(PolicyCatalog.standard(), SecretResolver.fromProcessEnvironment())
              .load(config);
    } catch (ConfigException e) {
      CheckConfigCommand.print(e.problems(), out);
      out.println(config + ": invalid (" + e.problems().size() + " errors); no fixture was run");
      out.flush();
      return 1;
    }
    List<List<Fixture>> files = new ArrayList<>();
    boolean refused = false;
    LinkedHashSet<String> stages = new LinkedHashSet<>(OfflineGateway.stageNames());
    for (Path file : fixtures) {
      try {
        files.add(FixtureFile.read(file, stages));
      } catch (ConfigException e) {
        refused = true;
        for (Problem p : e.problems()) {
          out.println(
              "error: " + file + (p.path().isEmpty() ? "" : ": " + p.path()) + ": " + p.message());
        }
      }
    }
    if (refused) {
      out.println("fixtures refused: fix the errors above; no fixture was run");
      out.flush();
      return 1;
    }
    int passed = 0;
    int failed = 0;
    List<JunitReport.Suite> suites = new ArrayList<>();
    try (OfflineGateway gateway = OfflineGateway.compile(loaded.config())) {
      for (int i = 0; i < fixtures.size(); i++) {
        List<FixtureResult> results = new ArrayList<>();
        for (Fixture f : files.get(i)) {
          FixtureResult r = FixtureResult.run(f, gateway);
          results.add(r);
          if (r.passed()) {
            passed++;
            out.println("PASS  " + f.name());
          } else {
            failed++;
            out.println("FAIL  " + f.name() + "  (" + f.where() + ")");
            for (String d : r.differences()) {
              out.println("      " + d);
            }
          }
          if (!r.passed() || verbose) {
            for (String line : r.observed().trace()) {
              out.println("        " + line);
            }
          }
        }
        suites.add(new JunitReport.Suite(fixtures.get(i).toString(), results));
      }
    }
    Path report = junit;
    if (report != null) {
      try {
        JunitReport.write(report, suites);
      } catch (IOException e) {
        out.println(
            "error: " + report + ": cannot write the JUnit report (" + e.getMessage() + ")");
        out.flush();
        return 1;
      }
    }
    out.println(passed + " passed, " + failed + " failed");
    out.flush();
    return failed == 0 ? 0 : 1;
  }
}
