package dev.bulwark.identity.totp;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Single-use recovery codes: {@link #COUNT} codes of 16 characters of Crockford's Base32 (80 random
 * bits each), shown once grouped as {@code XXXX-XXXX-XXXX-XXXX} and stored only as their SHA-256. A
 * fast hash is enough here, unlike for passwords: a code is 80 uniformly random bits, so a thief of
 * the hashes must still try about 2^79 codes per hash, and no dictionary or salt-less precompute
 * helps against inputs no one chose. What the user types is read forgivingly (any case, spaces and
 * dashes ignored, {@code O} read as {@code 0} and {@code I}/{@code L} as {@code 1}), bounded, then
 * hashed and compared in constant time with every stored hash; a match is consumed: the caller
 * stores the remaining hashes.
 */
public final class RecoveryCodes {
  /** How many codes are issued at a time. */
  public static final int COUNT = 10;

  /** Characters per code (5 bits each). */
  static final int LENGTH = 16;

  /** Crockford's Base32: no I, L, O or U. */
  private static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

  private static final int MAX_INPUT_CHARS = 64;
  private static final HexFormat HEX = HexFormat.of();

  private RecoveryCodes() {}

  /**
   * Codes just issued: the codes to show once, and their hashes to store.
   *
   * @param codes the codes, grouped for reading
   * @param hashes their SHA-256, hexadecimal, in the same order
   */
  public record Issued(List<String> codes, List<String> hashes) {
    public Issued {
      codes = List.copyOf(codes);
      hashes = List.copyOf(hashes);
    }

    @Override
    public String toString() {
      return "Issued[" + codes.size() + " codes]";
    }
  }

  /**
   * What redeeming a code found.
   *
   * @param accepted whether the code was one of the stored ones
   * @param remaining the hashes to store now (the consumed one removed when accepted)
   */
  public record Redemption(boolean accepted, List<String> remaining) {
    public Redemption {
      remaining = List.copyOf(remaining);
    }
  }

  /** Issues {@link #COUNT} new codes. */
  public static Issued issue(SecureRandom random) {
    requireNonNull(random, "random");
    List<String> codes = new ArrayList<>();
    List<String> hashes = new ArrayList<>();
    for (int i = 0; i < COUNT; i++) {
      StringBuilder raw = new StringBuilder(LENGTH);
      for (int j = 0; j < LENGTH; j++) {
        raw.append(ALPHABET.charAt(random.nextInt(32)));
      }
      String r = raw.toString();
      codes.add(
          r.substring(0, 4)
              + '-'
              + r.substring(4, 8)
              + '-'
              + r.substring(8, 12)
              + '-'
              + r.substring(12));
      hashes.add(hash(r));
    }
    return new Issued(codes, hashes);
  }

  /** Redeems {@code input} against the stored {@code hashes}. */
  public static Redemption redeem(List<String> hashes, String input) {
    requireNonNull(hashes, "hashes");
    requireNonNull(input, "input");
    String canonical = canonical(input);
    if (canonical == null) {
      return new Redemption(false, hashes);
    }
    byte[] given = hash(canonical).getBytes(StandardCharsets.US_ASCII);
    int found = -1;
    for (int i = 0; i < hashes.size(); i++) {
      boolean equal =
          MessageDigest.isEqual(hashes.get(i).getBytes(StandardCharsets.US_ASCII), given);
      if (equal && found < 0) {
        found = i;
      }
    }
    if (found < 0) {
      return new Redemption(false, hashes);
    }
    List<String> remaining = new ArrayList<>(hashes);
    remaining.remove(found);
    return new Redemption(true, remaining);
  }

  /** Returns the 16 canonical characters of what a user typed, or null when it cannot be a code. */
  static @Nullable String canonical(String input) {
    if (input.length() > MAX_INPUT_CHARS) {
      return null;
    }
    StringBuilder b = new StringBuilder(LENGTH);
    for (int i = 0; i < input.length(); i++) {
      char o = input.charAt(i);
      if (o > 0x7e) {
        return null; // only ASCII: no dotless i or other letter that upper-cases into the alphabet
      }
      char c = Character.toUpperCase(o);
      if (c == '-' || c == ' ') {
        continue;
      }
      char m =
          switch (c) {
            case 'O' -> '0';
            case 'I', 'L' -> '1';
            default -> c;
          };
      if (ALPHABET.indexOf(m) < 0) {
        return null;
      }
      b.append(m);
    }
    return b.length() == LENGTH ? b.toString() : null;
  }

  private static String hash(String canonical) {
    try {
      return HEX.formatHex(
          MessageDigest.getInstance("SHA-256")
              .digest(canonical.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
    }
  }
}
