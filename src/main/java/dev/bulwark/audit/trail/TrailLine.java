package dev.bulwark.audit.trail;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One record of the trail as one ASCII line: {@code
 * {"seq":N,"time":"T","type":"start|anchor|event|checkpoint","<field>":"<value>",…,"prev":"H","hash":"H"}}.
 * The fields are {@code trail}, {@code key} and, after a crash, {@code torn} (bytes of a torn
 * record cut) for a start record; {@code trail}, {@code key} and {@code sig} for an anchor (the
 * first record of a file after a rotation, signed like a checkpoint, its {@code prev} the previous
 * file's last hash); {@code body} (the sealed event, base64) for an event; {@code sig} (the
 * signature, base64) for a checkpoint. {@code hash} is the SHA-256 of every byte of the line before
 * {@code ,"hash":}, so it covers {@code prev} and chains the records. Every value is drawn from a
 * fixed alphabet, so no event field can break a line.
 *
 * @param seq the record's sequence number, from 0
 * @param time when it was written (ISO-8601 UTC)
 * @param type {@code start}, {@code anchor}, {@code event} or {@code checkpoint}
 * @param fields the type's fields as written between {@code type} and {@code prev}
 * @param prev the hash of the previous record (64 zeros for the first)
 * @param hash this record's hash
 */
record TrailLine(long seq, String time, String type, String fields, String prev, String hash) {
  static final String START = "start";
  static final String ANCHOR = "anchor";
  static final String EVENT = "event";
  static final String CHECKPOINT = "checkpoint";
  static final String GENESIS = "0".repeat(64);

  /** Longest line the writer makes; a longer one is not a record. */
  static final int MAX_LINE_BYTES = 128 * 1024;

  private static final Pattern LINE =
      Pattern.compile(
          "\\{\"seq\":(0|[1-9][0-9]{0,17}),\"time\":\"([0-9T:.Z-]{1,40})\","
              + "\"type\":\"(start|anchor|event|checkpoint)\","
              + "((?:\"[a-z]{1,10}\":\"[A-Za-z0-9+/=-]*\",?){1,4}),\"prev\":\"([0-9a-f]{64})\",\"hash\":\"([0-9a-f]{64})\"\\}");
  private static final HexFormat HEX = HexFormat.of();

  /** One digest per thread: looking the algorithm up for every record cost more than hashing. */
  private static final ThreadLocal<MessageDigest> DIGEST =
      ThreadLocal.withInitial(TrailLine::sha256);

  private static final Pattern FIELD = Pattern.compile("\"([a-z]{1,10})\":\"([A-Za-z0-9+/=-]*)\"");

  TrailLine {
    requireNonNull(time, "time");
    requireNonNull(type, "type");
    requireNonNull(fields, "fields");
    requireNonNull(prev, "prev");
    requireNonNull(hash, "hash");
  }

  /** Returns a record chained after {@code prev}, its hash computed. */
  static TrailLine make(long seq, String time, String type, String fields, String prev) {
    String hash = hashOf(prefix(seq, time, type, fields, prev));
    return new TrailLine(seq, time, type, fields, prev, hash);
  }

  /** Returns {@code "name":"value"} for a value of the line alphabet. */
  static String field(String name, String value) {
    return "\"" + name + "\":\"" + value + "\"";
  }

  /** Returns the line, without its newline. */
  String text() {
    return prefix(seq, time, type, fields, prev) + ",\"hash\":\"" + hash + "\"}";
  }

  /** Returns whether {@link #hash} is the hash of the rest of the line. */
  boolean hashMatches() {
    return sameHash(hashOf(prefix(seq, time, type, fields, prev)), hash);
  }

  /** Returns the value of field {@code name}, or null when the record has none. */
  @Nullable String value(String name) {
    Matcher m = FIELD.matcher(fields);
    while (m.find()) {
      if (m.group(1).equals(name)) {
        return m.group(2);
      }
    }
    return null;
  }

  /** Parses a line (without its newline), or returns null when it is not a record. */
  static @Nullable TrailLine parse(String line) {
    if (line.length() > MAX_LINE_BYTES) {
      return null;
    }
    Matcher m = LINE.matcher(line);
    if (!m.matches() || m.group(4).endsWith(",")) {
      return null;
    }
    return new TrailLine(
        Long.parseLong(m.group(1)), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6));
  }

  private static String prefix(long seq, String time, String type, String fields, String prev) {
    return "{\"seq\":"
        + seq
        + ",\"time\":\""
        + time
        + "\",\"type\":\""
        + type
        + "\","
        + fields
        + ",\"prev\":\""
        + prev
        + "\"";
  }

  /**
   * Compares two hashes in constant time: they are public, so this only keeps the comparison free
   * of a timing signal by habit.
   */
  static boolean sameHash(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  static String hashOf(String text) {
    MessageDigest d = DIGEST.get();
    return HEX.formatHex(d.digest(text.getBytes(StandardCharsets.US_ASCII)));
  }

  /** Returns a new SHA-256 digest, the hash of the chain. */
  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }
}
