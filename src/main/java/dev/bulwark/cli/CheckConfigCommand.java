package dev.bulwark.cli;

import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.Problem;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.server.Gateway;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bulwark check-config -c FILE}: validate and lint; exit 0 valid, 1 invalid. */
@Command(
    name = "check-config",
    description = "Validate a configuration file and lint it against the hardening checklist.",
    mixinStandardHelpOptions = true)
final class CheckConfigCommand implements Callable<Integer> {
  @Mixin ConfigFileOption configOption = new ConfigFileOption();

  @Option(names = "--summary", description = "Also print the compiled routes.")
  boolean summary;

  private Path config() {
    return configOption.file;
  }

  @Override
  public Integer call() {
    try {
      ConfigLoader.Loaded loaded =
          new ConfigLoader(SecretResolver.fromProcessEnvironment()).load(config());
      print(loaded.warnings(), System.out);
      if (summary) {
        System.out.print(Gateway.compileSummary(loaded.config()));
      }
      System.out.println(
          config()
              + ": valid ("
              + loaded.config().routes().size()
              + " routes, "
              + loaded.warnings().size()
              + " warnings)");
      return 0;
    } catch (ConfigException e) {
      print(e.problems(), System.out);
      long errors =
          e.problems().stream().filter(p -> p.severity() == Problem.Severity.ERROR).count();
      System.out.println(config() + ": invalid (" + errors + " errors)");
      return 1;
    }
  }

  static void print(List<Problem> problems, PrintStream out) {
    for (Problem p : problems) {
      out.println((p.severity() == Problem.Severity.ERROR ? "error: " : "warning: ") + p);
    }
  }
}
