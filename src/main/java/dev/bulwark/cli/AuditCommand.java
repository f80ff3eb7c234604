package dev.bulwark.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.trail.PostgresTrailReader;
import dev.bulwark.audit.trail.RecordText;
import dev.bulwark.audit.trail.TrailSearch;
import dev.bulwark.audit.trail.TrailVerifier;
import dev.bulwark.config.ConfigException;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.config.Units;
import dev.bulwark.endpoint.EndpointCatalog;
import dev.bulwark.exchange.CidrSet;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.store.StoreConfig;
import dev.bulwark.store.StoreUnavailable;
import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sealed.KeyringTable;
import dev.bulwark.store.sealed.SealRefused;
import dev.bulwark.store.sqlite.EmbeddedKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
              arity = "0..1",
              paramLabel = "FILE|DIR",
              description =
                  "The trail (audit.file), or a directory: every trail in it, each as its rotated"
                      + " files (NAME.00000001, ...) then its active file, in order.")
          @Nullable Path file,
      @Option(
              names = "--public-key",
              paramLabel = "FILE",
              description =
                  "The gateway's checkpoint key (audit-signing.pub in the data directory, or the"
                      + " key the gateway logs at start for audit.postgres); without it, the key"
                      + " in the trail's first record is trusted.")
          @Nullable Path publicKey,
      @Option(
              names = "--postgres",
              paramLabel = "URL",
              description =
                  "Verify the PostgreSQL sink instead (audit.postgres): postgresql://host:port/db;"
                      + " the password is read from PGPASSWORD.")
          @Nullable String postgres,
      @Option(names = "--user", description = "PostgreSQL user (with --postgres).")
          @Nullable String user,
      @Option(
              names = "--schema",
              defaultValue = "bulwark",
              description = "PostgreSQL schema (with --postgres; default: bulwark).")
          String schema) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if ((file == null) == (postgres == null)) {
      return usage(err, "verify", "expected FILE|DIR or --postgres URL (one of them)");
    }
    String key;
    try {
      key = publicKey == null ? null : Files.readString(publicKey, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return refuse(err, "verify", e.getFile() + ": no such file");
    } catch (IOException e) {
      return refuse(err, "verify", publicKey + ": cannot be read (" + e.getMessage() + ")");
    }
    if (postgres != null || file == null) {
      return verifyPostgres(out, err, String.valueOf(postgres), user, schema, key, publicKey);
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

  private int verifyPostgres(
      PrintWriter out,
      PrintWriter err,
      String url,
      @Nullable String user,
      String schema,
      @Nullable String key,
      @Nullable Path publicKey) {
    AuditDatabase db;
    try {
      db = AuditDatabase.of(url, user, System.getenv("PGPASSWORD"), schema);
    } catch (IllegalArgumentException e) {
      return usage(err, "verify", String.valueOf(e.getMessage()));
    }
    try (Connection c = db.connect()) {
      return print(out, db.toString(), PostgresTrailReader.verify(c, key), publicKey == null);
    } catch (SQLException e) {
      return refuse(err, "verify", unreadable(db, e));
    } catch (IllegalArgumentException e) {
      return refuse(
          err, "verify", publicKey + ": not a checkpoint key (expected: audit-signing.pub)");
    }
  }

  /** One line saying why the database could not be read, and what to check. */
  private static String unreadable(AuditDatabase db, SQLException e) {
    if ("42P01".equals(e.getSQLState())) {
      return db + ": no audit trail here (no audit_records table: check --schema)";
    }
    return db
        + ": cannot be read ("
        + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
        + "): check the URL, --user, PGPASSWORD and --schema";
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
      @Parameters(
              arity = "0..1",
              paramLabel = "FILE|DIR",
              description = "The trail file, or a directory of them.")
          @Nullable Path path,
      @Mixin PostgresOptions pg,
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
        pg,
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
      @Parameters(
              arity = "0..1",
              paramLabel = "FILE|DIR",
              description = "The trail file, or a directory of them.")
          @Nullable Path path,
      @Mixin PostgresOptions pg,
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
        pg,
        config,
        new TrailSearch.Query(null, null, null, null, null, null, null, id, -1, 100),
        json,
        "show");
  }

  /** The options that point search and show at the PostgreSQL sink. */
  static final class PostgresOptions {
    @Option(
        names = "--postgres",
        paramLabel = "URL",
        description =
            "Search the PostgreSQL sink instead (audit.postgres): postgresql://host:port/db; the"
                + " user, password and schema default to the configuration's store.postgres,"
                + " PGPASSWORD overrides the password.")
    @Nullable String url;

    @Option(names = "--user", description = "PostgreSQL user (with --postgres).")
    @Nullable String user;

    @Option(names = "--schema", description = "PostgreSQL schema (with --postgres).")
    @Nullable String schema;
  }

  private int find(
      @Nullable Path path,
      PostgresOptions pg,
      Path config,
      TrailSearch.Query q,
      boolean json,
      String command) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if ((path == null) == (pg.url == null)) {
      return usage(err, command, "expected FILE|DIR or --postgres URL (one of them)");
    }
    TrailSearch.Result r;
    if (pg.url != null || path == null) {
      r = findInPostgres(pg, String.valueOf(pg.url), config, q, command, err);
      if (r == null) {
        return 1;
      }
    } else {
      DurableState state = DurableState.read(config, NAME + " " + command, err);
      if (state == null) {
        return 1;
      }
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

  /**
   * Searches the PostgreSQL sink, opening bodies with the data keys kept there under the
   * configuration's {@code store.master-key}; prints why not and returns null when it cannot.
   */
  private static TrailSearch.@Nullable Result findInPostgres(
      PostgresOptions pg,
      String url,
      Path config,
      TrailSearch.Query q,
      String command,
      PrintWriter err) {
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
      refuse(err, command, config + " refused");
      return null;
    }
    StoreConfig.MasterKeyReference master = store.masterKey();
    if (master == null) {
      refuse(
          err,
          command,
          config
              + " sets no store.master-key (the records are sealed under the data keys it wraps)");
      return null;
    }
    StoreConfig.Postgres configured = store.postgres();
    String env = System.getenv("PGPASSWORD");
    AuditDatabase db;
    try {
      db =
          AuditDatabase.of(
              url,
              pg.user != null ? pg.user : configured == null ? null : configured.user(),
              env != null ? env : configured == null ? null : configured.password(),
              pg.schema != null ? pg.schema : configured == null ? "bulwark" : configured.schema());
    } catch (IllegalArgumentException e) {
      usage(err, command, String.valueOf(e.getMessage()));
      return null;
    }
    try (Connection c = db.connect()) {
      Keyring keyring = KeyringTable.open(c, master.key(), db.toString());
      return PostgresTrailReader.search(c, keyring, q, Long.MAX_VALUE);
    } catch (SQLException e) {
      refuse(err, command, unreadable(db, e));
    } catch (StoreUnavailable | SealRefused e) {
      refuse(err, command, String.valueOf(e.getMessage()));
    }
    return null;
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
