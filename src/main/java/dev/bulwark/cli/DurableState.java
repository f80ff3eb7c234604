package dev.bulwark.cli;

import dev.bulwark.config.ConfigException;
import dev.bulwark.config.Problems;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.endpoint.EndpointCatalog;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.store.StoreConfig;
import dev.bulwark.store.StoreUnavailable;
import dev.bulwark.store.sealed.MasterKey;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The embedded store's data directory and master key, as a configuration file names them, for the
 * commands that work on durable state (keys, backup, restore).
 */
record DurableState(Path dataDir, MasterKey master) {
  /** Reads them from {@code config}, or prints why not (one line per problem) and returns null. */
  static @Nullable DurableState read(Path config, String command, PrintWriter err) {
    StoreConfig store;
    try {
      store =
          EndpointCatalog.standard()
              .loader(PolicyCatalog.standard(), SecretResolver.fromProcessEnvironment())
              .load(config)
              .config()
              .store();
    } catch (ConfigException e) {
      CheckConfigCommand.print(e.problems(), err);
      err.println(command + ": " + config + " refused");
      err.flush();
      return null;
    }
    Path dir = store.dataDir();
    StoreConfig.MasterKeyReference key = store.masterKey();
    if (dir == null || key == null) {
      err.println(
          command
              + ": "
              + config
              + " sets no store.data-dir, so the gateway keeps no durable state (see"
              + " docs/backups.md)");
      err.flush();
      return null;
    }
    try {
      return new DurableState(dir, key.key());
    } catch (StoreUnavailable e) {
      err.println(command + ": " + e.getMessage());
      err.flush();
      return null;
    }
  }

  /**
   * Resolves a master key given on the command line as a secret reference, or prints why not and
   * returns null; a literal key is refused (it would sit in the shell history).
   */
  static @Nullable MasterKey resolve(
      String reference, String option, String command, PrintWriter err) {
    if (!SecretResolver.containsReference(reference)) {
      err.println(
          command
              + ": "
              + option
              + ": a literal key (expected: a secret reference such as"
              + " ${file:/etc/bulwark/master-2.key}, never the key itself)");
      err.flush();
      return null;
    }
    Problems problems = new Problems();
    String text = SecretResolver.fromProcessEnvironment().resolve(reference, option, problems);
    if (text == null) {
      problems.errors().forEach(p -> err.println(command + ": " + p));
      err.flush();
      return null;
    }
    try {
      return MasterKey.parse(text, reference);
    } catch (IllegalArgumentException e) {
      err.println(command + ": " + option + ": " + e.getMessage());
      err.flush();
      return null;
    }
  }
}
