package dev.bulwark.cli;

import dev.bulwark.audit.trail.TrailVerifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark audit verify FILE}: proves an audit trail's hash chain and signed checkpoints
 * without its key. Exit 0 when intact, 1 with one line per finding otherwise.
 */
@Command(
    name = "audit",
    description = "Check the durable audit trail.",
    mixinStandardHelpOptions = true)
final class AuditCommand {
  private static final String NAME = "bulwark audit";

  @Spec
  @SuppressWarnings("NullAway.Init")
  picocli.CommandLine.Model.CommandSpec spec;

  @Command(
      name = "verify",
      description = {
        "Prove the trail's hash chain and checkpoint signatures; name the first record altered,"
            + " removed, inserted or reordered, a truncated tail and forged checkpoints.",
        "Needs no key: the records' content stays sealed."
      })
  int verify(
      @Parameters(paramLabel = "FILE", description = "The trail (audit.file).") Path file,
      @Option(
              names = "--public-key",
              paramLabel = "FILE",
              description =
                  "The gateway's checkpoint key (audit-signing.pub in the data directory); without"
                      + " it, the key in the trail's first record is trusted.")
          @Nullable Path publicKey) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    TrailVerifier.Report r;
    try {
      String key =
          publicKey == null ? null : Files.readString(publicKey, StandardCharsets.US_ASCII);
      r = TrailVerifier.verify(file, key);
    } catch (NoSuchFileException e) {
      return refuse(err, e.getFile() + ": no such file");
    } catch (IOException e) {
      return refuse(err, file + ": cannot be read (" + e.getMessage() + ")");
    } catch (IllegalArgumentException e) {
      return refuse(err, publicKey + ": not a checkpoint key (expected: audit-signing.pub)");
    }
    if (!r.intact()) {
      for (String f : r.findings()) {
        out.println(file + ": " + f);
      }
      if (r.more() > 0) {
        out.println(file + ": " + r.more() + " more findings not listed");
      }
      out.flush();
      return 1;
    }
    long unsigned = r.lastSeq() - r.lastCheckpointSeq();
    out.println(
        file
            + ": intact: "
            + r.records()
            + " records, "
            + r.checkpoints()
            + " signed checkpoints"
            + (publicKey == null ? " (key not pinned: pass --public-key)" : "")
            + (unsigned > 0
                ? "; the last " + unsigned + " records follow the last checkpoint"
                : ""));
    out.flush();
    return 0;
  }

  private static int refuse(PrintWriter err, String line) {
    err.println(NAME + " verify: " + line);
    err.flush();
    return 1;
  }
}
