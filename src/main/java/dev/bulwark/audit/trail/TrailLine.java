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

  /**
   * Parses a line (without its newline), or returns null when it is not a record. Hand-written (a
   * regular expression was half of what {@code verify} spent on a million records): the line must
   * be exactly the shape above, each value in its alphabet, one to four fields separated by single
   * commas.
   */
  static @Nullable TrailLine parse(String line) {
    if (line.length() > MAX_LINE_BYTES || !line.startsWith("{\"seq\":")) {
      return null;
    }
    int p = 7;
    int seqStart = p;
    while (p < line.length() && isDigit(line.charAt(p))) {
      p++;
    }
    int digits = p - seqStart;
    if (digits == 0 || digits > 18 || (digits > 1 && line.charAt(seqStart) == '0')) {
      return null;
    }
    long seq = Long.parseLong(line, seqStart, p, 10);
    if (!line.startsWith(",\"time\":\"", p)) {
      return null;
    }
    p += 9;
    int timeStart = p;
    while (p < line.length() && p - timeStart <= 40 && isTimeChar(line.charAt(p))) {
      p++;
    }
    if (p == timeStart || p - timeStart > 40 || !line.startsWith("\",\"type\":\"", p)) {
      return null;
    }
    String time = line.substring(timeStart, p);
    p += 10;
    String type = typeAt(line, p);
    if (type == null || !line.startsWith("\",", p + type.length())) {
      return null;
    }
    p += type.length() + 2;
    int fieldsStart = p;
    int count = 0;
    while (true) {
      int end = fieldEnd(line, p);
      if (end < 0 || ++count > 4) {
        return null;
      }
      p = end;
      if (line.startsWith(",\"prev\":\"", p)) {
        break;
      }
      if (p >= line.length() || line.charAt(p) != ',') {
        return null;
      }
      p++;
    }
    String fields = line.substring(fieldsStart, p);
    p += 9;
    if (!isHex64(line, p) || !line.startsWith("\",\"hash\":\"", p + 64)) {
      return null;
    }
    String prev = line.substring(p, p + 64);
    p += 64 + 10;
    if (!isHex64(line, p) || p + 66 != line.length() || !line.startsWith("\"}", p + 64)) {
      return null;
    }
    return new TrailLine(seq, time, type, fields, prev, line.substring(p, p + 64));
  }

  /** Returns where the field {@code "name":"value"} starting at {@code p} ends, or -1. */
  private static int fieldEnd(String line, int p) {
    if (p >= line.length() || line.charAt(p) != '"') {
      return -1;
    }
    int q = p + 1;
    while (q < line.length() && line.charAt(q) >= 'a' && line.charAt(q) <= 'z') {
      q++;
    }
    if (q == p + 1 || q - p - 1 > 10 || !line.startsWith("\":\"", q)) {
      return -1;
    }
    q += 3;
    while (q < line.length() && isValueChar(line.charAt(q))) {
      q++;
    }
    return q < line.length() && line.charAt(q) == '"' ? q + 1 : -1;
  }

  private static @Nullable String typeAt(String line, int p) {
    for (String t : new String[] {EVENT, CHECKPOINT, START, ANCHOR}) {
      if (line.startsWith(t, p)) {
        return t;
      }
    }
    return null;
  }

  private static boolean isHex64(String line, int p) {
    if (p + 64 > line.length()) {
      return false;
    }
    for (int i = p; i < p + 64; i++) {
      char c = line.charAt(i);
      if (!isDigit(c) && (c < 'a' || c > 'f')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isTimeChar(char c) {
    return isDigit(c) || c == 'T' || c == ':' || c == '.' || c == 'Z' || c == '-';
  }

  private static boolean isValueChar(char c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || isDigit(c)
        || c == '+'
        || c == '/'
        || c == '='
        || c == '-';
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
