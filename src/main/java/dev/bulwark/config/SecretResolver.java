package dev.bulwark.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Replaces secret references ({@code ${env:NAME}}, {@code ${file:/run/secrets/x}}) in configuration
 * strings, so that secrets never appear literally in the file.
 */
public final class SecretResolver {
  private static final Pattern REFERENCE = Pattern.compile("\\$\\{([a-z]+):([^}]*)}");
  private static final long MAX_SECRET_FILE_BYTES = 64 * 1024;

  /** Looks up environment variables (the process's, or a test's map). */
  @FunctionalInterface
  public interface Environment {
    /** Returns the variable's value, or null when it is not set. */
    @Nullable String get(String name);
  }

  private final Environment environment;

  public SecretResolver(Environment environment) {
    this.environment = environment;
  }

  /** Returns a resolver reading the process environment. */
  public static SecretResolver fromProcessEnvironment() {
    return new SecretResolver(System::getenv);
  }

  /** Returns whether a string contains a secret reference. */
  public static boolean containsReference(String value) {
    return value.contains("${");
  }

  /**
   * Returns the string with every reference replaced, or null after reporting each unresolvable
   * reference at {@code path}.
   */
  public @Nullable String resolve(String value, String path, Problems problems) {
    if (!containsReference(value)) {
      return value;
    }
    Matcher m = REFERENCE.matcher(value);
    StringBuilder out = new StringBuilder();
    boolean ok = true;
    int last = 0;
    while (m.find()) {
      out.append(value, last, m.start());
      last = m.end();
      String scheme = m.group(1);
      String name = m.group(2);
      String resolved =
          switch (scheme) {
            case "env" -> resolveEnv(name, path, problems);
            case "file" -> resolveFile(name, path, problems);
            default -> {
              problems.error(
                  path, "${" + scheme + ":...}: unknown secret reference (expected: env or file)");
              yield null;
            }
          };
      if (resolved == null) {
        ok = false;
      } else {
        out.append(resolved);
      }
    }
    out.append(value, last, value.length());
    if (out.indexOf("${") >= 0 && ok) {
      problems.error(path, "malformed secret reference (expected: ${env:NAME} or ${file:/path})");
      return null;
    }
    return ok ? out.toString() : null;
  }

  private @Nullable String resolveEnv(String name, String path, Problems problems) {
    if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      problems.error(path, "${env:" + name + "}: invalid variable name");
      return null;
    }
    String v = environment.get(name);
    if (v == null) {
      problems.error(path, "${env:" + name + "}: environment variable is not set");
    }
    return v;
  }

  private static @Nullable String resolveFile(String name, String path, Problems problems) {
    Path file = Path.of(name);
    try {
      if (Files.size(file) > MAX_SECRET_FILE_BYTES) {
        problems.error(path, "${file:" + name + "}: secret file is larger than 64KiB");
        return null;
      }
      String content = Files.readString(file, StandardCharsets.UTF_8);
      return content.strip();
    } catch (IOException | RuntimeException e) {
      problems.error(path, "${file:" + name + "}: secret file cannot be read");
      return null;
    }
  }
}
