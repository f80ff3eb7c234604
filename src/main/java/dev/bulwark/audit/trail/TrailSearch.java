package dev.bulwark.audit.trail;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.exchange.CidrSet;
import dev.bulwark.store.sealed.Keyring;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Finds event records in a trail's files by opening their sealed bodies with the store's keyring:
 * each match is its body under ECS names (a schema-1 body is read under the names it would have
 * today) plus {@code bulwark.seq} and {@code bulwark.trail}. Records are read in file order; the
 * search stops after {@code limit} matches or {@code maxScanned} records, whichever comes first,
 * and says where to go on. A body that does not open (another keyring, or altered) is counted, not
 * returned: {@code bulwark audit verify} names it.
 */
public final class TrailSearch {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What to find; each condition given must hold.
   *
   * @param since records at or after this time
   * @param until records before this time
   * @param actor the user ({@code user.id}) who acted
   * @param action the {@code event.action}, or a prefix ending with {@code *}
   * @param outcome the {@code event.outcome} ({@code success}, {@code failure}, {@code unknown})
   * @param sourceIp addresses that {@code source.ip} must be in
   * @param target the address or name acted on ({@code bulwark.target})
   * @param id a record's sequence number or its request id ({@code http.request.id})
   * @param after only records after this sequence number (-1: from the start)
   * @param limit the most matches returned
   */
  public record Query(
      @Nullable Instant since,
      @Nullable Instant until,
      @Nullable String actor,
      @Nullable String action,
      @Nullable String outcome,
      @Nullable CidrSet sourceIp,
      @Nullable String target,
      @Nullable String id,
      long after,
      int limit) {
    public Query {
      if (limit < 1) {
        throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
      }
    }
  }

  /**
   * What a search found.
   *
   * @param records the matching bodies, in trail order
   * @param scanned the event records read
   * @param unreadable the event records whose body did not open
   * @param next the sequence number to pass as {@code after} for more, or -1 when the files were
   *     read to their end
   */
  public record Result(List<ObjectNode> records, long scanned, long unreadable, long next) {
    public Result {
      records = List.copyOf(records);
    }
  }

  private TrailSearch() {}

  /**
   * Returns the files a path names: a directory's trails (every trail in it, each in order), or one
   * file.
   */
  public static List<Path> filesOf(Path fileOrDirectory) throws IOException {
    if (!Files.isDirectory(fileOrDirectory)) {
      return List.of(fileOrDirectory);
    }
    List<Path> all = new ArrayList<>();
    for (List<Path> set : TrailSegments.inDirectory(fileOrDirectory).values()) {
      all.addAll(set);
    }
    return all;
  }

  /** Returns the files of the trail whose active file is {@code active}, oldest first. */
  public static List<Path> filesOfTrail(Path active) throws IOException {
    List<Path> all = new ArrayList<>(TrailSegments.rotated(active));
    if (Files.exists(active)) {
      all.add(active);
    }
    return all;
  }

  /** Searches {@code files} in order (blocking). */
  public static Result search(List<Path> files, Keyring keyring, Query q, long maxScanned)
      throws IOException {
    Scan scan = new Scan(keyring, q, maxScanned);
    for (Path file : files) {
      try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
        TrailLines lines = new TrailLines(in);
        String trail = null;
        String text;
        while ((text = lines.next()) != null) {
          if (!lines.lastEndedWithNewline()) {
            break;
          }
          TrailLine r = TrailLine.parse(text);
          if (r == null) {
            continue;
          }
          if (r.type().equals(TrailLine.START) || r.type().equals(TrailLine.ANCHOR)) {
            trail = r.value("trail");
            continue;
          }
          if (trail != null && !scan.offer(trail, r)) {
            return scan.result();
          }
        }
      }
    }
    return scan.result();
  }

  /**
   * One search over records read in trail order, wherever they are kept (files, or the rows of the
   * PostgreSQL sink): each event record offered is opened and matched.
   */
  static final class Scan {
    private final Keyring keyring;
    private final Query q;
    private final long maxScanned;
    private final List<ObjectNode> found = new ArrayList<>();
    private long scanned;
    private long unreadable;
    private long next = -1;

    Scan(Keyring keyring, Query q, long maxScanned) {
      this.keyring = requireNonNull(keyring, "keyring");
      this.q = requireNonNull(q, "q");
      this.maxScanned = maxScanned;
    }

    /** Takes the next record of {@code trail}; returns false once the search is over. */
    boolean offer(String trail, TrailLine r) {
      if (!r.type().equals(TrailLine.EVENT) || r.seq() <= q.after()) {
        return true;
      }
      if (scanned >= maxScanned) {
        next = r.seq() - 1;
        return false;
      }
      scanned++;
      ObjectNode body = open(keyring, trail, r);
      if (body == null) {
        unreadable++;
        return true;
      }
      if (matches(body, q)) {
        found.add(body);
        if (found.size() >= q.limit()) {
          next = r.seq();
          return false;
        }
      }
      return true;
    }

    /** Returns what was found; {@code next} is -1 unless the search stopped early. */
    Result result() {
      return new Result(found, scanned, unreadable, next);
    }
  }

  private static @Nullable ObjectNode open(Keyring keyring, String trail, TrailLine r) {
    String body = r.value("body");
    if (body == null) {
      return null;
    }
    try {
      byte[] plain =
          keyring.open(AuditTrail.recordId(trail, r.seq()), Base64.getDecoder().decode(body));
      JsonNode n = JSON.readTree(plain);
      if (!(n instanceof ObjectNode o)) {
        return null;
      }
      ObjectNode ecs = o.has(EcsNames.SCHEMA_FIELD) ? o : upgrade(o);
      ecs.put("bulwark.seq", r.seq());
      ecs.put("bulwark.trail", trail);
      return ecs;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Returns a schema-1 body (the security log line's names) under today's names. */
  static ObjectNode upgrade(ObjectNode v1) {
    JsonNode e = v1.get("event");
    String action = e == null ? "" : e.asText();
    ObjectNode out = JSON.createObjectNode();
    out.put(EcsNames.SCHEMA_FIELD, 1);
    Iterator<Map.Entry<String, JsonNode>> fields = v1.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      String name = EcsNames.of(action, f.getKey());
      String value = f.getValue().asText();
      if ((name.equals(EcsNames.REQUEST_ID)
              || name.equals(EcsNames.SOURCE_IP)
              || name.equals(EcsNames.TARGET))
          && value.equals("-")) {
        continue;
      }
      if (!out.has(name)) {
        out.set(name, f.getValue());
      }
      if (name.equals(EcsNames.ACTION)) {
        out.put(EcsNames.OUTCOME, EcsNames.outcome(action));
      }
    }
    return out;
  }

  private static boolean matches(ObjectNode b, Query q) {
    if (q.since() != null || q.until() != null) {
      Instant t = time(b);
      if (t == null
          || (q.since() != null && t.isBefore(q.since()))
          || (q.until() != null && !t.isBefore(q.until()))) {
        return false;
      }
    }
    if (q.actor() != null && !q.actor().equals(text(b, EcsNames.USER_ID))) {
      return false;
    }
    String action = q.action();
    if (action != null) {
      String a = text(b, EcsNames.ACTION);
      boolean ok =
          action.endsWith("*")
              ? a != null && a.startsWith(action.substring(0, action.length() - 1))
              : action.equals(a);
      if (!ok) {
        return false;
      }
    }
    if (q.outcome() != null && !q.outcome().equals(text(b, EcsNames.OUTCOME))) {
      return false;
    }
    if (q.sourceIp() != null) {
      String ip = text(b, EcsNames.SOURCE_IP);
      if (ip == null || !q.sourceIp().contains(ip)) {
        return false;
      }
    }
    if (q.target() != null && !q.target().equals(text(b, EcsNames.TARGET))) {
      return false;
    }
    String id = q.id();
    if (id != null) {
      JsonNode seq = b.get("bulwark.seq");
      boolean bySeq = seq != null && id.equals(seq.asText());
      if (!bySeq && !id.equals(text(b, EcsNames.REQUEST_ID))) {
        return false;
      }
    }
    return true;
  }

  private static @Nullable Instant time(ObjectNode b) {
    String t = text(b, EcsNames.TIMESTAMP);
    if (t == null) {
      return null;
    }
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static @Nullable String text(ObjectNode b, String name) {
    JsonNode n = b.get(name);
    return n == null || n.isNull() ? null : n.asText();
  }
}
