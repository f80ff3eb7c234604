package dev.bulwark.identity.password;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A list of breached passwords held as a Bloom filter over their SHA-1 digests: compact (about 14.4
 * bits per password at the default false-positive rate of 1 in 1,000, so 100,000 passwords take 176
 * KiB and 10 million 17 MiB), never a false negative, and a good password wrongly refused about
 * once in {@code 1/fpp}. Built at start-up from the operator's file, one entry a line: a password
 * in clear (hashed here after NFKC), or the 40 hexadecimal digits of its SHA-1, optionally followed
 * by {@code :count} (the form of the Pwned Passwords downloads); blank lines and lines starting
 * with {@code #} are skipped. The filter uses {@code k} probes derived by double hashing from the
 * first 16 bytes of the digest (Kirsch and Mitzenmacher). Immutable and thread-safe once built.
 */
public final class BreachedPasswords {
  /** The false-positive rate the filter is sized for. */
  public static final double DEFAULT_FPP = 0.001;

  /** The most entries a file may hold (about 86 MiB of filter at the default rate). */
  public static final long MAX_ENTRIES = 50_000_000L;

  /** A list that holds nothing. */
  public static final BreachedPasswords NONE = new BreachedPasswords(new long[1], 64, 1, 0);

  private static final HexFormat HEX = HexFormat.of();

  private final long[] bits;
  private final long bitCount;
  private final int probes;
  private final long entries;

  private BreachedPasswords(long[] bits, long bitCount, int probes, long entries) {
    this.bits = bits;
    this.bitCount = bitCount;
    this.probes = probes;
    this.entries = entries;
  }

  /** Returns a filter of the given lines, sized for {@code fpp}. */
  public static BreachedPasswords of(List<String> lines, double fpp) {
    Builder b = new Builder(lines.size(), fpp);
    for (String line : lines) {
      b.add(line);
    }
    return b.build();
  }

  /**
   * Reads a file of breached passwords (two passes: one to count, one to fill).
   *
   * @throws UncheckedIOException when it cannot be read, is not UTF-8, or holds more than {@link
   *     #MAX_ENTRIES} entries (the message names the file and what to do)
   */
  public static BreachedPasswords load(Path file, double fpp) {
    requireNonNull(file, "file");
    try {
      long count = 0;
      try (BufferedReader r = reader(file)) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          if (entry(line)) {
            count++;
            if (count > MAX_ENTRIES) {
              throw new IOException(
                  "more than " + MAX_ENTRIES + " entries (expected: a smaller list)");
            }
          }
        }
      }
      Builder b = new Builder(count, fpp);
      try (BufferedReader r = reader(file)) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          b.add(line);
        }
      }
      return b.build();
    } catch (IOException e) {
      throw new UncheckedIOException(
          file + ": cannot read the breached-password list: " + e.getMessage(), e);
    }
  }

  private static BufferedReader reader(Path file) throws IOException {
    return new BufferedReader(
        new java.io.InputStreamReader(
            Files.newInputStream(file),
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)));
  }

  private static boolean entry(String line) {
    String t = line.strip();
    return !t.isEmpty() && !t.startsWith("#");
  }

  /** Returns how many entries were added. */
  public long entries() {
    return entries;
  }

  /** Returns the filter's size in bytes. */
  public long sizeBytes() {
    return (long) bits.length * Long.BYTES;
  }

  /** Returns the number of probes per entry. */
  public int probes() {
    return probes;
  }

  /** Returns whether {@code password} (or its NFKC form) is probably on the list. */
  public boolean contains(String password) {
    if (entries == 0) {
      return false;
    }
    String nfkc = Normalizer.normalize(password, Normalizer.Form.NFKC);
    return containsDigest(sha1(nfkc)) || (!nfkc.equals(password) && containsDigest(sha1(password)));
  }

  private boolean containsDigest(byte[] digest) {
    ByteBuffer d = ByteBuffer.wrap(digest);
    long h1 = d.getLong();
    long h2 = d.getLong() | 1;
    for (int i = 0; i < probes; i++) {
      long bit = Math.floorMod(h1 + i * h2, bitCount);
      if ((bits[(int) (bit >>> 6)] & (1L << bit)) == 0) {
        return false;
      }
    }
    return true;
  }

  /** Returns the SHA-1 of the UTF-8 bytes of {@code s}. */
  static byte[] sha1(String s) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this Java runtime", e);
    }
  }

  /** Fills a filter sized for a known number of entries. */
  static final class Builder {
    private final long[] bits;
    private final long bitCount;
    private final int probes;
    private long added;

    Builder(long expected, double fpp) {
      if (!(fpp > 0 && fpp < 1)) {
        throw new IllegalArgumentException("fpp: " + fpp + " (expected: between 0 and 1)");
      }
      long n = Math.max(1, expected);
      double m = -n * Math.log(fpp) / (Math.log(2) * Math.log(2));
      long words = Math.max(1, (long) Math.ceil(m / 64));
      if (words > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("expected: " + expected + " entries (too many)");
      }
      this.bits = new long[(int) words];
      this.bitCount = words * 64;
      this.probes = Math.max(1, (int) Math.round((double) bitCount / n * Math.log(2)));
    }

    void add(String line) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        return;
      }
      byte[] digest = hexDigest(t);
      if (digest == null) {
        digest = sha1(Normalizer.normalize(t, Normalizer.Form.NFKC));
      }
      ByteBuffer d = ByteBuffer.wrap(digest);
      long h1 = d.getLong();
      long h2 = d.getLong() | 1;
      for (int i = 0; i < probes; i++) {
        long bit = Math.floorMod(h1 + i * h2, bitCount);
        bits[(int) (bit >>> 6)] |= 1L << bit;
      }
      added++;
    }

    BreachedPasswords build() {
      return new BreachedPasswords(bits, bitCount, probes, added);
    }

    /** Returns the digest a {@code SHA1HEX} or {@code SHA1HEX:COUNT} line names, or null. */
    private static byte @Nullable [] hexDigest(String t) {
      int colon = t.indexOf(':');
      String hex = colon < 0 ? t : t.substring(0, colon);
      if (hex.length() != 40) {
        return null;
      }
      if (colon >= 0) {
        String count = t.substring(colon + 1);
        if (count.isEmpty() || !count.chars().allMatch(c -> c >= '0' && c <= '9')) {
          return null;
        }
      }
      for (int i = 0; i < 40; i++) {
        if (Character.digit(hex.charAt(i), 16) < 0) {
          return null;
        }
      }
      return HEX.parseHex(hex);
    }
  }
}
