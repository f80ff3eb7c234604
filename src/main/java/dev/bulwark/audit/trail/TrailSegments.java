package dev.bulwark.audit.trail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The files of one trail: the active file ({@code audit.file}, say {@code audit.log}) and the files
 * rotated out of it, each renamed once to {@code audit.log.NNNNNNNN} (eight digits, 1 for the first
 * rotation, one more for each) and never renamed again. Their order is the order of their numbers,
 * the active file last; a number is never reused, so a name always means the same file.
 */
final class TrailSegments {
  private static final Logger LOG = Logger.getLogger(TrailSegments.class.getName());
  private static final Pattern NUMBERED = Pattern.compile("(.+)\\.([0-9]{8})");

  private TrailSegments() {}

  /** Returns the rotated files of the trail whose active file is {@code active}, oldest first. */
  static List<Path> rotated(Path active) throws IOException {
    Path dir = directory(active);
    String base = name(active);
    TreeMap<Long, Path> found = new TreeMap<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, base + ".*")) {
      for (Path p : files) {
        Matcher m = NUMBERED.matcher(name(p));
        if (m.matches() && m.group(1).equals(base) && Files.isRegularFile(p)) {
          found.put(Long.parseLong(m.group(2)), p);
        }
      }
    }
    return new ArrayList<>(found.values());
  }

  /** Returns the name the active file takes when it is rotated next. */
  static Path nextRotated(Path active) throws IOException {
    List<Path> r = rotated(active);
    long n = r.isEmpty() ? 1 : number(r.get(r.size() - 1)) + 1;
    return active.resolveSibling(active.getFileName() + "." + String.format("%08d", n));
  }

  private static long number(Path rotated) {
    Matcher m = NUMBERED.matcher(name(rotated));
    return m.matches() ? Long.parseLong(m.group(2)) : 0;
  }

  /**
   * Returns every trail in {@code dir}, by the name of its active file, each as its files in order:
   * the numbered ones by number, then the active file when it exists. A file counts when its first
   * bytes are a record's.
   */
  static Map<String, List<Path>> inDirectory(Path dir) throws IOException {
    TreeMap<String, List<Path>> sets = new TreeMap<>();
    List<Path> all = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path p : files) {
        if (Files.isRegularFile(p) && looksLikeATrail(p)) {
          all.add(p);
        }
      }
    }
    for (Path p : all) {
      Matcher m = NUMBERED.matcher(name(p));
      String base = m.matches() ? m.group(1) : name(p);
      sets.computeIfAbsent(base, b -> new ArrayList<>()).add(p);
    }
    for (List<Path> set : sets.values()) {
      set.sort(
          Comparator.comparingLong(
              (Path p) -> NUMBERED.matcher(name(p)).matches() ? number(p) : Long.MAX_VALUE));
    }
    return sets;
  }

  private static boolean looksLikeATrail(Path p) throws IOException {
    byte[] head = new byte[8];
    int n;
    try (var in = Files.newInputStream(p)) {
      n = in.readNBytes(head, 0, head.length);
    }
    return new String(head, 0, n, StandardCharsets.US_ASCII).startsWith("{\"seq\":");
  }

  /**
   * Deletes the oldest rotated files beyond {@code keep} files (0: no limit) and those rotated more
   * than {@code maxAge} ago ({@link Duration#ZERO}: no limit); the active file is never deleted.
   * Deletes oldest first, so what remains is always a contiguous run of the newest files; returns
   * how many were deleted.
   */
  static int retain(Path active, int keep, Duration maxAge, Instant now) throws IOException {
    List<Path> r = rotated(active);
    int deleted = 0;
    for (int i = 0; i < r.size(); i++) {
      Path p = r.get(i);
      boolean tooMany = keep > 0 && r.size() - i > keep;
      boolean tooOld =
          !maxAge.isZero() && Files.getLastModifiedTime(p).toInstant().isBefore(now.minus(maxAge));
      if (!tooMany && !tooOld) {
        break;
      }
      Files.delete(p);
      deleted++;
      LOG.info(
          p
              + ": deleted by audit.retain ("
              + (tooMany ? "more than " + keep + " files" : "older than " + maxAge)
              + ")");
    }
    return deleted;
  }

  /** Returns a path's last element as text ("" for a root). */
  private static String name(Path p) {
    Path f = p.getFileName();
    return f == null ? "" : f.toString();
  }

  private static Path directory(Path file) {
    @Nullable Path parent = file.toAbsolutePath().getParent();
    return parent == null ? Path.of(".") : parent;
  }
}
