package dev.bulwark.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.trail.RecordText;
import dev.bulwark.audit.trail.TrailSearch;
import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.config.Units;
import dev.bulwark.exchange.CidrSet;
import dev.bulwark.store.sealed.Keyring;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /audit/events} (operators only): the audit trail's records that match the query, as
 * {@code bulwark audit search} finds them ({@code since}, {@code until}, {@code actor}, {@code
 * action}, {@code outcome}, {@code source-ip}, {@code target}, {@code id}, {@code after}, {@code
 * limit}). A page holds at most {@link #MAX_LIMIT} records and reads at most {@link #MAX_SCANNED}
 * records; {@code next} is the {@code after} of the next page, or null at the end. The trail is the
 * file's, or the PostgreSQL sink's table; the search runs on the blocking executor (a file) or the
 * database's own threads, never on the event loop.
 */
public final class AuditEventsApi {
  /** The most records one page returns. */
  static final int MAX_LIMIT = 1000;

  /** The most records one page reads. */
  static final long MAX_SCANNED = 200_000;

  /** Where the records are searched: off the event loop, completing with what was found. */
  @FunctionalInterface
  public interface Source {
    /** Searches for at most {@code q.limit()} matches, reading at most {@code maxScanned}. */
    CompletionStage<TrailSearch.Result> search(TrailSearch.Query q, long maxScanned);
  }

  private final Source source;

  /** Searches the trail whose active file is {@code trail}, opening bodies with {@code keyring}. */
  public AuditEventsApi(Path trail, Keyring keyring, BlockingExecutor blocking) {
    requireNonNull(trail, "trail");
    requireNonNull(keyring, "keyring");
    requireNonNull(blocking, "blocking");
    this.source =
        (q, max) ->
            blocking.submit(
                () -> TrailSearch.search(TrailSearch.filesOfTrail(trail), keyring, q, max));
  }

  /** Searches the records {@code source} finds (the PostgreSQL sink's table). */
  public AuditEventsApi(Source source) {
    this.source = requireNonNull(source, "source");
  }

  /** Adds {@code GET /audit/events}, for operators only. */
  public AdminRouter.Builder register(AdminRouter.Builder router) {
    return router.get("/audit/events", AdminAccess.OPERATOR, this::search);
  }

  private void search(AdminCall call) {
    TrailSearch.Query q;
    try {
      q = query(call, Instant.now());
    } catch (IllegalArgumentException e) {
      call.error(400, String.valueOf(e.getMessage()));
      return;
    }
    source
        .search(q, MAX_SCANNED)
        .whenComplete(
            (r, failure) -> {
              if (failure != null) {
                call.error(503, "the audit trail could not be read; try again");
                return;
              }
              StringBuilder sb = new StringBuilder(256).append("{\"events\":[");
              List<ObjectNode> records = r.records();
              for (int i = 0; i < records.size(); i++) {
                sb.append(i == 0 ? "" : ",").append(RecordText.json(records.get(i)));
              }
              sb.append("],\"scanned\":").append(r.scanned());
              sb.append(",\"unreadable\":").append(r.unreadable());
              sb.append(",\"next\":").append(r.next() < 0 ? "null" : Long.toString(r.next()));
              call.json(200, sb.append('}').toString());
            });
  }

  /**
   * Reads the query parameters.
   *
   * @throws IllegalArgumentException naming the parameter that is not valid
   */
  static TrailSearch.Query query(AdminCall call, Instant now) {
    String since = call.query("since");
    String until = call.query("until");
    String sourceIp = call.query("source-ip");
    CidrSet range = null;
    if (sourceIp != null) {
      String cidr =
          sourceIp.contains("/") ? sourceIp : sourceIp + (sourceIp.contains(":") ? "/128" : "/32");
      if (!CidrSet.isValid(cidr)) {
        throw new IllegalArgumentException("source-ip: expected an address or a CIDR range");
      }
      range = CidrSet.of(List.of(cidr));
    }
    String outcome = call.query("outcome");
    if (outcome != null && !List.of("success", "failure", "unknown").contains(outcome)) {
      throw new IllegalArgumentException("outcome: expected success, failure or unknown");
    }
    long after = number(call.query("after"), -1, Long.MAX_VALUE, "after");
    int limit = (int) number(call.query("limit"), 100, MAX_LIMIT, "limit");
    return new TrailSearch.Query(
        since == null ? null : instant(since, now, "since"),
        until == null ? null : instant(until, now, "until"),
        bounded(call.query("actor"), "actor"),
        bounded(call.query("action"), "action"),
        outcome,
        range,
        bounded(call.query("target"), "target"),
        bounded(call.query("id"), "id"),
        after,
        limit);
  }

  private static @Nullable String bounded(@Nullable String value, String name) {
    if (value != null && value.length() > 256) {
      throw new IllegalArgumentException(name + ": longer than 256 characters");
    }
    return value;
  }

  private static long number(@Nullable String text, long fallback, long max, String name) {
    if (text == null) {
      return fallback;
    }
    try {
      long v = Long.parseLong(text);
      if (v < (name.equals("after") ? -1 : 1) || v > max) {
        throw new IllegalArgumentException(name + ": " + v + " (expected: 1 to " + max + ")");
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": expected a whole number");
    }
  }

  private static Instant instant(String text, Instant now, String name) {
    Duration ago = text.length() > 40 ? null : Units.parseDuration(text);
    if (ago != null) {
      return now.minus(ago);
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          name + ": expected a duration such as 1h, or an instant such as 2026-12-07T10:00:00Z");
    }
  }
}
