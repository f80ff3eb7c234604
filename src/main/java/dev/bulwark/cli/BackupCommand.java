package dev.bulwark.cli;

import dev.bulwark.store.StoreUnavailable;
import dev.bulwark.store.sealed.MasterKey;
import dev.bulwark.store.sqlite.EmbeddedBackup;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark backup -c FILE --to ARCHIVE} and {@code bulwark backup verify -c FILE ARCHIVE}: an
 * encrypted, integrity-checked archive of the embedded store's state, safe while the gateway runs.
 * Exit 0 on success, 1 when refused.
 */
@Command(
    name = "backup",
    description = {
      "Write an encrypted, integrity-checked archive of the embedded store's state (safe while"
          + " the gateway runs), or check one with 'backup verify'.",
      "Exit codes: 0 written or verified, 1 refused, 2 usage error."
    },
    mixinStandardHelpOptions = true)
final class BackupCommand implements Callable<Integer> {
  private static final String NAME = "bulwark backup";

  @Spec
  @SuppressWarnings("NullAway.Init")
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      description = "Configuration file (YAML) naming store.data-dir and store.master-key.")
  @Nullable Path config;

  @Option(names = "--to", paramLabel = "ARCHIVE", description = "The archive to write.")
  @Nullable Path to;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (config == null || to == null) {
      err.println(NAME + ": -c FILE and --to ARCHIVE are required; see '" + NAME + " --help'");
      err.flush();
      return Main.EXIT_USAGE;
    }
    DurableState state = DurableState.read(config, NAME, err);
    if (state == null) {
      return 1;
    }
    try {
      EmbeddedBackup.Summary s = EmbeddedBackup.backup(state.dataDir(), state.master(), to);
      out.println(to + ": written (" + s.describe() + "; under " + state.master() + ")");
      out.flush();
      return 0;
    } catch (StoreUnavailable e) {
      err.println(NAME + ": " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  @Command(
      name = "verify",
      description =
          "Check an archive without restoring it: decrypt it whole, check every chunk, the"
              + " database inside and its data keys.")
  int verify(
      @Option(
              names = {"-c", "--config"},
              required = true,
              description = "Configuration file (YAML).")
          Path configFile,
      @Option(
              names = "--master-key",
              paramLabel = "REF",
              description =
                  "Check with this key (a secret reference) instead of the configured one.")
          @Nullable String reference,
      @Parameters(paramLabel = "ARCHIVE") Path archive) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    MasterKey master = masterKey(configFile, reference, NAME + " verify", err);
    if (master == null) {
      return 1;
    }
    try {
      EmbeddedBackup.Summary s = EmbeddedBackup.verify(archive, master);
      out.println(archive + ": verified (" + s.describe() + ")");
      out.flush();
      return 0;
    } catch (StoreUnavailable e) {
      err.println(NAME + " verify: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  /** Returns the key given by reference, else the configured one; null after printing why not. */
  static @Nullable MasterKey masterKey(
      Path config, @Nullable String reference, String command, PrintWriter err) {
    if (reference != null) {
      return DurableState.resolve(reference, "--master-key", command, err);
    }
    DurableState state = DurableState.read(config, command, err);
    return state == null ? null : state.master();
  }
}
