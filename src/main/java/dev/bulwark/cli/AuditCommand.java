package dev.bulwark.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.trail.RecordText;
import dev.bulwark.audit.trail.TrailSearch;
import dev.bulwark.audit.trail.TrailVerifier;
import dev.bulwark.config.Units;
import dev.bulwark.exchange.CidrSet;
import dev.bulwark.store.StoreUnavailable;
import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sqlite.EmbeddedKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark audit verify FILE|DIR}: proves an audit trail's hash chain and signed checkpoints
 * without its key (exit 0 when intact, 1 with one line per finding otherwise); {@code bulwark audit
 * search} and {@code show}: find records, opening their bodies with the store's keys.
 */
@Command(
    name = "audit",
    description = "Check and search the durable audit trail.",
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
      @Parameters(
              paramLabel = "FILE|DIR",
              description =
                  "The trail (audit.file), or a directory: every trail in it, each as its rotated"
                      + " files (NAME.00000001, ...) then its active file, in order.")
          Path file,
      @Option(
              names = "--public-key",
              paramLabel = "FILE",
              description =
                  "The gateway's checkpoint key (audit-signing.pub in the data directory); without"
                      + " it, the key in the trail's first record is trusted.")
          @Nullable Path publicKey) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String key;
    try {
      key = publicKey == null ? null : Files.readString(publicKey, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return refuse(err, "verify", e.getFile() + ": no such file");
    } catch (IOException e) {
      return refuse(err, "verify", publicKey + ": cannot be read (" + e.getMessage() + ")");
    }
    try {
      if (!Files.isDirectory(file)) {
        return print(out, file.toString(), TrailVerifier.verify(file, key), publicKey == null);
      }
      Map<String, List<Path>> trails = TrailVerifier.trailsIn(file);
      if (trails.isEmpty()) {
        return refuse(err, "verify", file + ": no audit trail in this directory");
      }
      int worst = 0;
      for (Map.Entry<String, List<Path>> t : trails.entrySet()) {
        String name = file.resolve(t.getKey()) + " (" + t.getValue().size() + " files)";
        worst =
            Math.max(
                worst,
                print(out, name, TrailVerifier.verifySet(t.getValue(), key), publicKey == null));
      }
      return worst;
    } catch (NoSuchFileException e) {
      return refuse(err, "verify", e.getFile() + ": no such file");
    } catch (IOException e) {
      return refuse(err, "verify", file + ": cannot be read (" + e.getMessage() + ")");
    } catch (IllegalArgumentException e) {
      return refuse(
          err, "verify", publicKey + ": not a checkpoint key (expected: audit-signing.pub)");
    }
  }

  private static int print(PrintWriter out, String name, TrailVerifier.Report r, boolean unpinned) {
    for (String n : r.notes()) {
      out.println(name + ": note: " + n);
    }
    if (!r.intact()) {
      for (String f : r.findings()) {
        out.println(name + ": " + f);
      }
      if (r.more() > 0) {
        out.println(name + ": " + r.more() + " more findings not listed");
      }
      out.flush();
      return 1;
    }
    long unsigned = r.lastSeq() - r.lastCheckpointSeq();
    out.println(
        name
            + ": intact: "
            + r.records()
            + " records, "
            + r.checkpoints()
            + " signed checkpoints"
            + (unpinned ? " (key not pinned: pass --public-key)" : "")
            + (unsigned > 0
                ? "; the last " + unsigned + " records follow the last checkpoint"
                : ""));
    out.flush();
    return 0;
  }

  @Command(
      name = "search",
      description = {
        "Find event records: opens their sealed bodies with the store's keys (-c names"
            + " store.data-dir and store.master-key, as for bulwark backup).",
        "Prints one line per record (--json: one JSON object per line, ECS field names), every"
            + " character outside printable ASCII escaped. Exit 0 when the search ran."
      })
  int search(
      @Parameters(paramLabel = "FILE|DIR", description = "The trail file, or a directory of them.")
          Path path,
      @Option(
              names = {"-c", "--config"},
              required = true,
              description = "Configuration file naming store.data-dir and store.master-key.")
          Path config,
      @Option(names = "--since", description = "From this time: 1h (ago) or 2026-12-07T10:00:00Z.")
          @Nullable String since,
      @Option(names = "--until", description = "Before this time: 10m (ago) or an instant.")
          @Nullable String until,
      @Option(names = "--actor", description = "The user who acted (user.id).")
          @Nullable String actor,
      @Option(names = "--action", description = "event.action, or a prefix ending with *.")
          @Nullable String action,
      @Option(names = "--outcome", description = "success, failure or unknown.")
          @Nullable String outcome,
      @Option(names = "--source-ip", description = "Address or CIDR range of source.ip.")
          @Nullable String sourceIp,
      @Option(names = "--target", description = "The address acted on (bulwark.target).")
          @Nullable String target,
      @Option(names = "--after", description = "Only records after this sequence number.")
          @Nullable Long after,
      @Option(names = "--limit", defaultValue = "100", description = "At most this many records.")
          int limit,
      @Option(names = "--json", description = "One JSON object per line.") boolean json) {
    PrintWriter err = spec.commandLine().getErr();
    Instant now = Instant.now();
    Instant from = since == null ? null : instant(since, now);
    Instant to = until == null ? null : instant(until, now);
    if ((since != null && from == null) || (until != null && to == null)) {
      return usage(err, "search", "--since/--until: expected a duration such as 1h or an instant");
    }
    CidrSet range = null;
    if (sourceIp != null) {
      String cidr =
          sourceIp.contains("/") ? sourceIp : sourceIp + (sourceIp.contains(":") ? "/128" : "/32");
      if (!CidrSet.isValid(cidr)) {
        return usage(err, "search", "--source-ip: expected an address or a CIDR range");
      }
      range = CidrSet.of(List.of(cidr));
    }
    if (outcome != null && !List.of("success", "failure", "unknown").contains(outcome)) {
      return usage(err, "search", "--outcome: expected success, failure or unknown");
    }
    if (limit < 1 || limit > 1_000_000) {
      return usage(err, "search", "--limit: expected 1 to 1000000");
    }
    return find(
        path,
        config,
        new TrailSearch.Query(
            from,
            to,
            actor,
            action,
            outcome,
            range,
            target,
            null,
            after == null ? -1 : after,
            limit),
        json,
        "search");
  }

  @Command(
      name = "show",
      description = {
        "Show the records with this sequence number or request id (http.request.id); -c as for"
            + " search. Exit 1 when there is none."
      })
  int show(
      @Parameters(paramLabel = "FILE|DIR", description = "The trail file, or a directory of them.")
          Path path,
      @Option(
              names = {"-c", "--config"},
              required = true,
              description = "Configuration file naming store.data-dir and store.master-key.")
          Path config,
      @Option(names = "--id", required = true, description = "A sequence number or a request id.")
          String id,
      @Option(names = "--json", description = "One JSON object per line.") boolean json) {
    return find(
        path,
        config,
        new TrailSearch.Query(null, null, null, null, null, null, null, id, -1, 100),
        json,
        "show");
  }

  private int find(Path path, Path config, TrailSearch.Query q, boolean json, String command) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    DurableState state = DurableState.read(config, NAME + " " + command, err);
    if (state == null) {
      return 1;
    }
    TrailSearch.Result r;
    try {
      Keyring keyring = EmbeddedKeys.keyring(state.dataDir(), state.master());
      r = TrailSearch.search(TrailSearch.filesOf(path), keyring, q, Long.MAX_VALUE);
    } catch (StoreUnavailable e) {
      return refuse(err, command, e.getMessage());
    } catch (NoSuchFileException e) {
      return refuse(err, command, e.getFile() + ": no such file");
    } catch (IOException e) {
      return refuse(err, command, path + ": cannot be read (" + e.getMessage() + ")");
    }
    for (ObjectNode record : r.records()) {
      out.println(json ? RecordText.json(record) : RecordText.line(record));
    }
    out.flush();
    if (r.unreadable() > 0) {
      err.println(
          NAME
              + " "
              + command
              + ": "
              + r.unreadable()
              + " records did not open under this master key (another key, or altered: run"
              + " bulwark audit verify)");
    }
    if (r.next() >= 0) {
      err.println(NAME + " " + command + ": more may match: --after " + r.next());
    }
    err.flush();
    return command.equals("show") && r.records().isEmpty() ? 1 : 0;
  }

  /** Returns an instant given as a duration ago ({@code 1h}) or as ISO-8601, or null. */
  private static @Nullable Instant instant(String text, Instant now) {
    Duration ago = Units.parseDuration(text);
    if (ago != null) {
      return now.minus(ago);
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static int usage(PrintWriter err, String command, String line) {
    err.println(NAME + " " + command + ": " + line);
    err.flush();
    return Main.EXIT_USAGE;
  }

  private static int refuse(PrintWriter err, String command, String line) {
    err.println(NAME + " " + command + ": " + line);
    err.flush();
    return 1;
  }
}
