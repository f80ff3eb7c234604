package dev.bulwark.cli;

import dev.bulwark.store.StoreUnavailable;
import dev.bulwark.store.sqlite.EmbeddedBackup;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark restore -c FILE --from ARCHIVE}: replaces the embedded store's state with an
 * archive's, after checking the whole archive; refused while a gateway runs on the data directory.
 */
@Command(
    name = "restore",
    description = {
      "Replace the embedded store's state with a backup archive's, after checking it whole."
          + " Refused while a gateway runs on the data directory: stop it first.",
      "Exit codes: 0 restored, 1 refused (nothing changed), 2 usage error."
    },
    mixinStandardHelpOptions = true)
final class RestoreCommand implements Callable<Integer> {
  private static final String NAME = "bulwark restore";

  @Spec
  @SuppressWarnings("NullAway.Init")
  picocli.CommandLine.Model.CommandSpec spec;

  @Mixin ConfigFileOption config = new ConfigFileOption();

  @Option(names = "--from", required = true, paramLabel = "ARCHIVE", description = "The archive.")
  @SuppressWarnings("NullAway.Init")
  Path from;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    DurableState state = DurableState.read(config.file, NAME, err);
    if (state == null) {
      return 1;
    }
    try {
      EmbeddedBackup.Summary s = EmbeddedBackup.restore(from, state.dataDir(), state.master());
      out.println(state.dataDir() + ": restored from " + from + " (" + s.describe() + ")");
      out.flush();
      return 0;
    } catch (StoreUnavailable e) {
      err.println(NAME + ": " + e.getMessage());
      err.flush();
      return 1;
    }
  }
}
