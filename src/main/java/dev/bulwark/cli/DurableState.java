package dev.bulwark.cli;

import dev.bulwark.config.ConfigException;
import dev.bulwark.config.Problems;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.endpoint.EndpointCatalog;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.secret.TransitKey;
import dev.bulwark.secret.VaultSession;
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
record DurableState(Path dataDir, MasterKey master, @Nullable VaultSession vault) {
  /** Reads them from {@code config}, or prints why not (one line per problem) and returns null. */
  static @Nullable DurableState read(Path config, String command, PrintWriter err) {
    StoreConfig store;
    SecretResolver secrets = SecretResolver.fromProcessEnvironment();
    try {
      store =
          EndpointCatalog.standard()
              .loader(PolicyCatalog.standard(), secrets)
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
      return new DurableState(dir, key.key(), secrets.vaultSession());
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
    return resolve(reference, option, command, err, null);
  }

  /**
   * Resolves a master key given on the command line: a secret reference, or {@code
   * vault-transit:[MOUNT/]KEY} through {@code vault} (the configuration's Vault session).
   */
  static @Nullable MasterKey resolve(
      String reference,
      String option,
      String command,
      PrintWriter err,
      @Nullable VaultSession vault) {
    if (reference.startsWith(TRANSIT)) {
      return transit(reference.substring(TRANSIT.length()), option, command, err, vault);
    }
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

  private static final String TRANSIT = "vault-transit:";

  private static @Nullable MasterKey transit(
      String text, String option, String command, PrintWriter err, @Nullable VaultSession vault) {
    int slash = text.lastIndexOf('/');
    String mount = slash < 0 ? "transit" : text.substring(0, slash);
    String name = text.substring(slash + 1);
    String problem = TransitKey.mountProblem(mount);
    if (problem == null) {
      problem = TransitKey.nameProblem(name);
    }
    if (problem != null) {
      err.println(command + ": " + option + ": " + TRANSIT + text + ": " + problem);
      err.flush();
      return null;
    }
    if (vault == null) {
      err.println(
          command
              + ": "
              + option
              + ": "
              + TRANSIT
              + text
              + ": the configuration has no vault section (expected: a top-level vault: with"
              + " address and auth)");
      err.flush();
      return null;
    }
    return StoreConfig.MasterKeyReference.transit(vault, new TransitKey(mount, name)).key();
  }
}
