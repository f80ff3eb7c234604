package dev.bulwark.identity.login;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A login name as accounts are looked up by: checked and bounded before any other work, then
 * NFKC-normalised, trimmed and case-folded, so that {@code Alice}, {@code ALICE} and the fullwidth
 * {@code Ａｌｉｃｅ} are one name. Refused: more than {@link #MAX_RAW_CHARS} characters as sent, control
 * and format characters (NUL, zero-width joiners, bidirectional overrides), whitespace inside the
 * name, more than {@link #MAX_LENGTH} code points once normalised, and letters of scripts that do
 * not go together (UTS #39's "highly restrictive" profile: one script, or Latin with Han and
 * Japanese kana, with Han and Hangul, or with Han and Bopomofo), which refuses the classic spoof
 * that hides a Cyrillic {@code а} in a Latin name.
 *
 * <p>A whole name in a confusable script ({@code аlісе} all in Cyrillic) is accepted, but not
 * silently made the same as {@code alice}: its {@link #skeleton} is, so that the account store can
 * refuse to create a name whose skeleton another account already has. Lookups use {@link #value}.
 */
public final class LoginName {
  /** The most code points of a normalised name (an e-mail address's limit). */
  public static final int MAX_LENGTH = 254;

  /** The most UTF-16 code units read as sent, before any normalisation. */
  public static final int MAX_RAW_CHARS = 1024;

  private static final Set<Character.UnicodeScript> NOT_A_SCRIPT =
      EnumSet.of(
          Character.UnicodeScript.COMMON,
          Character.UnicodeScript.INHERITED,
          Character.UnicodeScript.UNKNOWN);

  private final String value;

  private LoginName(String value) {
    this.value = value;
  }

  /**
   * A name read, or why not.
   *
   * @param name the name, or null when refused
   * @param problem why it was refused, in words for the user, or null
   */
  public record Parsed(@Nullable LoginName name, @Nullable String problem) {}

  /**
   * Returns the stand-in of a name that cannot be an account's: a name of its own per raw text
   * ({@code unreadable-} and 16 hex digits of its SHA-256), so that the throttle still counts it
   * and no event carries the raw input.
   */
  public static LoginName unreadable(String raw) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(raw.getBytes(StandardCharsets.UTF_8));
      return requireNonNull(parse("unreadable-" + HexFormat.of().formatHex(d, 0, 8)).name());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
    }
  }

  /** Reads a login name as sent. */
  public static Parsed parse(String raw) {
    requireNonNull(raw, "raw");
    if (raw.length() > MAX_RAW_CHARS) {
      return refused("The login name is too long.");
    }
    for (int i = 0; i < raw.length(); ) {
      int cp = raw.codePointAt(i);
      int type = Character.getType(cp);
      if (type == Character.CONTROL
          || type == Character.FORMAT
          || type == Character.SURROGATE
          || type == Character.UNASSIGNED
          || type == Character.PRIVATE_USE) {
        return refused("The login name contains characters that are not allowed.");
      }
      i += Character.charCount(cp);
    }
    String folded = fold(raw).strip();
    if (folded.isEmpty()) {
      return refused("Enter a login name.");
    }
    if (folded.codePointCount(0, folded.length()) > MAX_LENGTH) {
      return refused("The login name is too long.");
    }
    for (int i = 0; i < folded.length(); ) {
      int cp = folded.codePointAt(i);
      if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
        return refused("The login name cannot contain spaces.");
      }
      i += Character.charCount(cp);
    }
    if (!scriptsGoTogether(folded)) {
      return refused("The login name mixes letters of different alphabets.");
    }
    return new Parsed(new LoginName(folded), null);
  }

  private static Parsed refused(String problem) {
    return new Parsed(null, problem);
  }

  /** Returns the name as accounts are looked up by. */
  public String value() {
    return value;
  }

  /**
   * Returns the name's confusable skeleton: combining marks dropped, common look-alikes of other
   * scripts (Cyrillic, Greek) mapped to the Latin letter they imitate, and {@code rn}, {@code vv},
   * {@code 0}, {@code 1} and {@code |} read as {@code m}, {@code w}, {@code o}, {@code l}, {@code
   * l}. Two names with one skeleton look alike; an account store keeps skeletons unique.
   */
  public String skeleton() {
    String decomposed = Normalizer.normalize(value, Normalizer.Form.NFD);
    StringBuilder b = new StringBuilder(decomposed.length());
    for (int i = 0; i < decomposed.length(); ) {
      int cp = decomposed.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.getType(cp) == Character.NON_SPACING_MARK) {
        continue;
      }
      int mapped = Confusables.prototype(cp);
      b.appendCodePoint(mapped);
    }
    return b.toString().replace("rn", "m").replace("vv", "w");
  }

  /** Returns NFKC, then case-folded (upper- then lower-cased, root locale), then NFKC again. */
  static String fold(String s) {
    String n = Normalizer.normalize(s, Normalizer.Form.NFKC);
    String f = n.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
    return Normalizer.normalize(f, Normalizer.Form.NFKC);
  }

  private static boolean scriptsGoTogether(String s) {
    Set<Character.UnicodeScript> scripts = EnumSet.noneOf(Character.UnicodeScript.class);
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      Character.UnicodeScript script = Character.UnicodeScript.of(cp);
      if (!NOT_A_SCRIPT.contains(script)) {
        scripts.add(script);
      }
    }
    if (scripts.size() <= 1) {
      return true;
    }
    scripts.remove(Character.UnicodeScript.LATIN);
    Set<Character.UnicodeScript> japanese =
        EnumSet.of(
            Character.UnicodeScript.HAN,
            Character.UnicodeScript.HIRAGANA,
            Character.UnicodeScript.KATAKANA);
    Set<Character.UnicodeScript> korean =
        EnumSet.of(Character.UnicodeScript.HAN, Character.UnicodeScript.HANGUL);
    Set<Character.UnicodeScript> chinese =
        EnumSet.of(Character.UnicodeScript.HAN, Character.UnicodeScript.BOPOMOFO);
    return scripts.isEmpty()
        || japanese.containsAll(scripts)
        || korean.containsAll(scripts)
        || chinese.containsAll(scripts);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof LoginName other && value.equals(other.value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return value;
  }
}
