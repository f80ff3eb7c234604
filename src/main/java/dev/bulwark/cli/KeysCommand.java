package dev.bulwark.cli;

import dev.bulwark.store.StoreUnavailable;
import dev.bulwark.store.sealed.KeyringTable;
import dev.bulwark.store.sealed.MasterKey;
import dev.bulwark.store.sqlite.EmbeddedKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark keys generate|rotate|retire}: the master key of the embedded store's encrypted
 * data. Exit 0 on success, 1 when refused.
 */
@Command(
    name = "keys",
    description = "Generate and rotate the master key that encrypts the embedded store's data.",
    mixinStandardHelpOptions = true)
final class KeysCommand {
  private static final String NAME = "bulwark keys";

  @Spec
  @SuppressWarnings("NullAway.Init")
  picocli.CommandLine.Model.CommandSpec spec;

  @Command(
      name = "generate",
      description = "Write a new random master key (base64, mode 0600) to FILE; never overwrites.")
  int generate(@Parameters(paramLabel = "FILE") Path file) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String text = MasterKey.generateText();
    MasterKey key = MasterKey.parse(text, "${file:" + file.toAbsolutePath() + "}");
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, text + "\n", StandardCharsets.US_ASCII);
    } catch (FileAlreadyExistsException e) {
      err.println(NAME + " generate: " + file + " exists (a key is never overwritten)");
      err.flush();
      return 1;
    } catch (IOException e) {
      err.println(NAME + " generate: " + file + " cannot be written (" + e.getMessage() + ")");
      err.flush();
      return 1;
    }
    out.println(
        file + ": new master key " + key.id() + " (refer to it as " + key.reference() + ")");
    out.flush();
    return 0;
  }

  @Command(
      name = "rotate",
      description = {
        "Wrap every data key under a new master key as well, and add a new data key; safe while"
            + " the gateway runs. Both master keys open the data until 'keys retire'.",
        "Then set store.master-key to the new reference, restart or roll the gateway, and run"
            + " 'bulwark keys retire'.",
        "With a vault-transit master key and no --new-master-key: wrap every data key again under"
            + " the transit key's latest version (after rotating it in Vault), and add a new data"
            + " key."
      })
  int rotate(
      @Option(
              names = {"-c", "--config"},
              required = true,
              description = "Configuration file (YAML).")
          Path config,
      @Option(
              names = "--new-master-key",
              paramLabel = "REF",
              description =
                  "The new key as a secret reference, e.g. ${file:/etc/bulwark/master-2.key}, or"
                      + " a Vault transit key, vault-transit:[MOUNT/]KEY (through the"
                      + " configuration's vault section).")
          @Nullable String reference) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    DurableState state = DurableState.read(config, NAME + " rotate", err);
    if (state == null) {
      return 1;
    }
    if (reference == null) {
      return rewrap(state, config, out, err);
    }
    MasterKey next =
        DurableState.resolve(reference, "--new-master-key", NAME + " rotate", err, state.vault());
    if (next == null) {
      return 1;
    }
    try {
      KeyringTable.Rotation r = EmbeddedKeys.rotate(state.dataDir(), state.master(), next);
      out.println(
          state.dataDir()
              + ": "
              + r.rewrapped()
              + " data key(s) now also wrapped under master key "
              + next.id()
              + " ("
              + reference
              + "); new data key "
              + r.newKeyId()
              + " seals new values from the next start. Next: set store.master-key to "
              + (next.remote() ? "the vault-transit mapping of " + next.reference() : reference)
              + ", restart the gateway, then run 'bulwark keys retire -c "
              + config
              + "'");
      out.flush();
      return 0;
    } catch (StoreUnavailable | IllegalArgumentException e) {
      err.println(NAME + " rotate: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  private static int rewrap(DurableState state, Path config, PrintWriter out, PrintWriter err) {
    if (!state.master().remote()) {
      err.println(
          NAME
              + " rotate: --new-master-key is missing (expected: the new key's secret reference;"
              + " only a vault-transit master key rotates in place)");
      err.flush();
      return 1;
    }
    try {
      KeyringTable.Rotation r = EmbeddedKeys.rewrap(state.dataDir(), state.master());
      out.println(
          state.dataDir()
              + ": "
              + r.rewrapped()
              + " data key(s) wrapped again under the latest version of "
              + state.master().reference()
              + "; new data key "
              + r.newKeyId()
              + " seals new values from the next start ("
              + config
              + " stays as it is)");
      out.flush();
      return 0;
    } catch (StoreUnavailable | IllegalArgumentException e) {
      err.println(NAME + " rotate: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  @Command(
      name = "retire",
      description =
          "Forget every master key but the configured one (after a rotation), once the configured"
              + " key opens every data key.")
  int retire(
      @Option(
              names = {"-c", "--config"},
              required = true,
              description = "Configuration file (YAML).")
          Path config) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    DurableState state = DurableState.read(config, NAME + " retire", err);
    if (state == null) {
      return 1;
    }
    try {
      int n = EmbeddedKeys.retire(state.dataDir(), state.master());
      out.println(
          state.dataDir()
              + ": "
              + n
              + " wrapped key(s) under other master keys deleted; only "
              + state.master()
              + " opens the data now");
      out.flush();
      return 0;
    } catch (StoreUnavailable e) {
      err.println(NAME + " retire: " + e.getMessage());
      err.flush();
      return 1;
    }
  }
}
