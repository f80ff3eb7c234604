package dev.bulwark.cli;

import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.Problem;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.endpoint.EndpointCatalog;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.server.Gateway;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bulwark check-config -c FILE}: validate and lint; exit 0 valid, 1 invalid, 2 usage. */
@Command(
    name = "check-config",
    description = {
      "Validate a configuration file and lint it against the hardening checklist.",
      "Exit codes: 0 valid (warnings may be printed), 1 invalid, 2 usage error."
    },
    mixinStandardHelpOptions = true)
final class CheckConfigCommand implements Callable<Integer> {
  @Mixin ConfigFileOption configOption = new ConfigFileOption();

  @Option(names = "--summary", description = "Also print the compiled routes.")
  boolean summary;

  @CommandLine.Spec
  @SuppressWarnings("NullAway.Init")
  CommandLine.Model.CommandSpec spec;

  private Path config() {
    return configOption.file;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      ConfigLoader.Loaded loaded =
          EndpointCatalog.standard()
              .loader(PolicyCatalog.standard(), SecretResolver.fromProcessEnvironment())
              .load(config());
      print(loaded.warnings(), out);
      if (summary) {
        out.print(Gateway.compileSummary(loaded.config()));
      }
      out.println(
          config()
              + ": valid ("
              + loaded.config().routes().size()
              + " routes, "
              + loaded.warnings().size()
              + " warnings)");
      return 0;
    } catch (ConfigException e) {
      print(e.problems(), out);
      long errors =
          e.problems().stream().filter(p -> p.severity() == Problem.Severity.ERROR).count();
      out.println(config() + ": invalid (" + errors + " errors)");
      return 1;
    } finally {
      out.flush();
    }
  }

  static void print(List<Problem> problems, PrintWriter out) {
    for (Problem p : problems) {
      out.println((p.severity() == Problem.Severity.ERROR ? "error: " : "warning: ") + p);
    }
    out.flush();
  }
}
