package dev.bulwark.secret;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * A named key of Vault's transit secrets engine, written {@code mount/key} in messages ({@code
 * transit/bulwark-store}); the key's bytes never leave Vault.
 */
public record TransitKey(String mount, String name) {
  public TransitKey {
    requireNonNull(mount, "mount");
    requireNonNull(name, "name");
  }

  /** Returns why {@code name} cannot name a transit key, or null when it can. */
  public static @Nullable String nameProblem(String name) {
    if (name.isEmpty() || name.length() > 128) {
      return "empty or longer than 128 characters";
    }
    if (!name.matches("[A-Za-z0-9_-][A-Za-z0-9_.-]*")) {
      return "not a transit key name (expected: letters, digits, '-', '_' and '.')";
    }
    return null;
  }

  /** Returns why {@code mount} cannot name a transit mount, or null when it can. */
  public static @Nullable String mountProblem(String mount) {
    if (!VaultReference.isPath(mount) || mount.length() > 256) {
      return "not a mount path (expected: a path such as transit or team-a/transit)";
    }
    for (String segment : mount.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        return "not a mount path (a path segment is . or ..)";
      }
    }
    return null;
  }

  /** Returns how messages name the key. */
  String what() {
    return "transit key " + this;
  }

  /** Returns {@code mount/name}. */
  @Override
  public String toString() {
    return mount + "/" + name;
  }
}
