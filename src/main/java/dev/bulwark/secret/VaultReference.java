package dev.bulwark.secret;

import static java.util.Objects.requireNonNull;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One field of one KV v2 secret, written {@code mount/data/path#field} as in {@code
 * ${vault:secret/data/bulwark#jwt-key}}: the secrets engine's mount, the secret's path below it,
 * and the field whose string value is wanted.
 */
public record VaultReference(String mount, String path, String field) {
  private static final String SEGMENT = "[A-Za-z0-9_.-]+";
  private static final Pattern FORM =
      Pattern.compile(
          "("
              + SEGMENT
              + "(?:/"
              + SEGMENT
              + ")*?)/data/("
              + SEGMENT
              + "(?:/"
              + SEGMENT
              + ")*)#("
              + SEGMENT
              + ")");
  private static final int MAX_LENGTH = 512;

  public VaultReference {
    requireNonNull(mount, "mount");
    requireNonNull(path, "path");
    requireNonNull(field, "field");
  }

  /** Returns why {@code text} is not a reference, or null when it is one. */
  public static @Nullable String problem(String text) {
    if (text.length() > MAX_LENGTH) {
      return "longer than " + MAX_LENGTH + " characters";
    }
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      return "not of the form mount/data/path#field (a KV v2 secret such as"
          + " secret/data/bulwark#jwt-key)";
    }
    for (String segment : text.substring(0, text.indexOf('#')).split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        return "a path segment is . or ..";
      }
    }
    return null;
  }

  /**
   * Reads {@code mount/data/path#field}.
   *
   * @throws IllegalArgumentException when {@link #problem} finds one
   */
  public static VaultReference parse(String text) {
    String problem = problem(text);
    if (problem != null) {
      throw new IllegalArgumentException(text + ": " + problem);
    }
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(text);
    }
    return new VaultReference(m.group(1), m.group(2), m.group(3));
  }

  /** Returns the HTTP API path of the secret's current version, after {@code /v1/}. */
  public String apiPath() {
    return mount + "/data/" + path;
  }

  /** Returns the secret without the field, as written before the {@code #}. */
  public String secret() {
    return apiPath();
  }

  @Override
  public String toString() {
    return apiPath() + "#" + field;
  }
}
