package dev.bulwark.secret;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * One field of one KV v2 secret, written {@code mount/data/path#field} as in {@code
 * ${vault:secret/data/bulwark#jwt-key}}: the secrets engine's mount, the secret's path below it,
 * and the field whose string value is wanted.
 */
public record VaultReference(String mount, String path, String field) {
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
    if (split(text) == null) {
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
    VaultReference r = split(text);
    if (problem != null || r == null) {
      throw new IllegalArgumentException(text + ": " + problem);
    }
    return r;
  }

  /** Splits at the first {@code /data/} and the {@code #}; null when the parts are malformed. */
  private static @Nullable VaultReference split(String text) {
    int hash = text.indexOf('#');
    int data = text.indexOf("/data/");
    if (hash < 0 || data <= 0 || data > hash) {
      return null;
    }
    String mount = text.substring(0, data);
    String path = text.substring(data + "/data/".length(), hash);
    String field = text.substring(hash + 1);
    if (!isPath(mount) || !isPath(path) || field.indexOf('/') >= 0 || !isPath(field)) {
      return null;
    }
    return new VaultReference(mount, path, field);
  }

  /**
   * Returns whether {@code s} is one or more segments of letters, digits, {@code _}, {@code .} and
   * {@code -}, separated by single slashes (a mount, a secret's path, a namespace).
   */
  public static boolean isPath(String s) {
    if (s.isEmpty()) {
      return false;
    }
    boolean segmentStart = true;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '/') {
        if (segmentStart) {
          return false;
        }
        segmentStart = true;
      } else if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '_'
          || c == '.'
          || c == '-') {
        segmentStart = false;
      } else {
        return false;
      }
    }
    return !segmentStart;
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
