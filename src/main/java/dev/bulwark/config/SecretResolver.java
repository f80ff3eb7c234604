package dev.bulwark.config;

import dev.bulwark.secret.VaultException;
import dev.bulwark.secret.VaultReference;
import dev.bulwark.secret.VaultSession;
import dev.bulwark.secret.VaultSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Replaces secret references ({@code ${env:NAME}}, {@code ${file:/run/secrets/x}}, {@code
 * ${vault:secret/data/bulwark#jwt-key}}) in configuration strings, so that secrets never appear
 * literally in the file. It keeps the Vault session of the file's {@code vault} section between
 * loads, and remembers a digest of every value it resolved in the last load, so that {@link
 * #changed()} can tell when a secret was rotated.
 */
public final class SecretResolver implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SecretResolver.class.getName());
  private static final Pattern REFERENCE = Pattern.compile("\\$\\{([a-z]+):([^}]*)}");
  private static final long MAX_SECRET_FILE_BYTES = 64 * 1024;
  private static final String UNREADABLE = "unreadable";

  /** How often referenced secrets are read again when no {@code vault.refresh} says otherwise. */
  public static final Duration DEFAULT_REFRESH = Duration.ofMinutes(1);

  /** Looks up environment variables (the process's, or a test's map). */
  @FunctionalInterface
  public interface Environment {
    /** Returns the variable's value, or null when it is not set. */
    @Nullable String get(String name);
  }

  /** Opens a Vault session (Vault's own, or a test's). */
  @FunctionalInterface
  public interface VaultConnector {
    /** Logs in and returns the session. */
    VaultSession open(VaultSettings settings, VaultSession.Listener listener) throws VaultException;
  }

  private final Environment environment;
  private final VaultConnector connector;
  private volatile VaultSession.Listener listener = new LoggingListener();
  private @Nullable VaultSession vault;

  /** Set while the {@code vault} section itself is read, or when it could not be used. */
  private @Nullable String vaultUnusable;

  private Map<String, String> resolving = new LinkedHashMap<>();
  private Map<String, String> resolved = Map.of();

  public SecretResolver(Environment environment) {
    this(environment, VaultSession::open);
  }

  public SecretResolver(Environment environment, VaultConnector connector) {
    this.environment = environment;
    this.connector = connector;
  }

  /** Returns a resolver reading the process environment. */
  public static SecretResolver fromProcessEnvironment() {
    return new SecretResolver(System::getenv);
  }

  /** Returns whether a string contains a secret reference. */
  public static boolean containsReference(String value) {
    return value.contains("${");
  }

  /** Sends Vault's failures and recoveries to {@code l} (instead of the log alone). */
  public void onVaultHealth(VaultSession.Listener l) {
    this.listener = l;
  }

  /** Returns the Vault session of the last load's {@code vault} section, or null without one. */
  public synchronized @Nullable VaultSession vaultSession() {
    return vault;
  }

  /** Returns how often referenced secrets should be read again. */
  public synchronized Duration refreshInterval() {
    VaultSession s = vault;
    return s == null ? DEFAULT_REFRESH : s.settings().refresh();
  }

  /**
   * Starts one load: reads the {@code vault} section at {@code section} and logs in (keeping the
   * session of the previous load when the settings are unchanged), reporting at its path when Vault
   * cannot be used.
   */
  synchronized void begin(ConfigNode section, Path baseDir) {
    resolving = new LinkedHashMap<>();
    if (!section.present()) {
      vaultUnusable = null;
      closeVault();
      return;
    }
    vaultUnusable =
        "a ${vault:..} reference cannot configure Vault itself (expected: ${env:..} or ${file:..})";
    int before = section.problems().errorCount();
    VaultSettings settings = VaultSection.read(section, baseDir);
    if (settings == null || section.problems().errorCount() > before) {
      vaultUnusable = ""; // the section's errors are reported; the references add nothing
      return;
    }
    VaultSession current = vault;
    if (current == null || !current.settings().equals(settings)) {
      try {
        VaultSession opened = connector.open(settings, forwarding);
        closeVault();
        vault = opened;
      } catch (VaultException e) {
        section.error(e.getMessage() + whatToDo(e.reason()));
        vaultUnusable = "";
        return;
      }
    }
    vaultUnusable = null;
    VaultSession s = vault;
    if (s != null) {
      s.beginRound();
    }
  }

  /** Ends one load: its references are what {@link #changed()} compares against from now on. */
  synchronized void end() {
    resolved = resolving;
    resolving = new LinkedHashMap<>();
  }

  /**
   * Reads every reference of the last load again and returns those whose value changed (or that can
   * no longer be read), written as in the file; Vault being away changes nothing (its last good
   * values stand, and the listener hears of it).
   */
  public synchronized List<String> changed() {
    VaultSession s = vault;
    if (s != null) {
      s.beginRound();
    }
    List<String> out = new ArrayList<>();
    Problems scratch = new Problems();
    for (Map.Entry<String, String> e : resolved.entrySet()) {
      String reference = e.getKey();
      int colon = reference.indexOf(':');
      String value =
          resolveOne(reference.substring(0, colon), reference.substring(colon + 1), "", scratch);
      String now = value == null ? UNREADABLE : digest(value);
      if (!now.equals(e.getValue())) {
        out.add("${" + reference + "}");
      }
    }
    return out;
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
      String resolved = resolveOne(m.group(1), m.group(2), path, problems);
      if (resolved == null) {
        ok = false;
      } else {
        out.append(resolved);
      }
    }
    out.append(value, last, value.length());
    if (out.indexOf("${") >= 0 && ok) {
      problems.error(
          path,
          "malformed secret reference (expected: ${env:NAME}, ${file:/path} or"
              + " ${vault:mount/data/path#field})");
      return null;
    }
    return ok ? out.toString() : null;
  }

  private synchronized @Nullable String resolveOne(
      String scheme, String name, String path, Problems problems) {
    String value =
        switch (scheme) {
          case "env" -> resolveEnv(name, path, problems);
          case "file" -> resolveFile(name, path, problems);
          case "vault" -> resolveVault(name, path, problems);
          default -> {
            problems.error(
                path,
                "${" + scheme + ":...}: unknown secret reference (expected: env, file or vault)");
            yield null;
          }
        };
    if (scheme.equals("env") || scheme.equals("file") || scheme.equals("vault")) {
      resolving.put(scheme + ":" + name, value == null ? UNREADABLE : digest(value));
    }
    return value;
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

  /**
   * Returns the Vault session of this load for a use at {@code path} (a transit key), or null after
   * reporting there why there is none.
   */
  synchronized @Nullable VaultSession session(String path, Problems problems) {
    String unusable = vaultUnusable;
    if (unusable != null) {
      if (!unusable.isEmpty()) {
        problems.error(path, unusable);
      }
      return null;
    }
    VaultSession s = vault;
    if (s == null) {
      problems.error(path, "no vault section (expected: a top-level vault: with address and auth)");
    }
    return s;
  }

  private @Nullable String resolveVault(String name, String path, Problems problems) {
    String unusable = vaultUnusable;
    if (unusable != null) {
      if (!unusable.isEmpty()) {
        problems.error(path, "${vault:" + name + "}: " + unusable);
      }
      return null;
    }
    VaultSession s = vault;
    if (s == null) {
      problems.error(
          path,
          "${vault:"
              + name
              + "}: no vault section (expected: a top-level vault: with address and auth)");
      return null;
    }
    String problem = VaultReference.problem(name);
    if (problem != null) {
      problems.error(path, "${vault:" + name + "}: " + problem);
      return null;
    }
    try {
      return s.read(VaultReference.parse(name));
    } catch (VaultException e) {
      problems.error(path, "${vault:" + name + "}: " + e.getMessage() + whatToDo(e.reason()));
      return null;
    }
  }

  private static String whatToDo(VaultException.Reason reason) {
    return switch (reason) {
      case UNAVAILABLE -> "; check that Vault runs and is reachable at vault.address";
      case DENIED -> "; check vault.auth and that the token's policy allows reading the secret";
      case UNTRUSTED, BAD_SECRET -> "";
    };
  }

  /** Passes a session's news to whoever listens now (the gateway starts after the first load). */
  private final VaultSession.Listener forwarding =
      new VaultSession.Listener() {
        @Override
        public void unavailable(String address, String reason) {
          listener.unavailable(address, reason);
        }

        @Override
        public void recovered(String address) {
          listener.recovered(address);
        }
      };

  private static String digest(String value) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is in every JDK", e);
    }
  }

  private void closeVault() {
    VaultSession s = vault;
    vault = null;
    if (s != null) {
      s.close();
    }
  }

  /** Ends the Vault session (its renewals stop). */
  @Override
  public synchronized void close() {
    closeVault();
  }

  /** Logs Vault's failures and recoveries when no one else listens. */
  private static final class LoggingListener implements VaultSession.Listener {
    @Override
    public void unavailable(String address, String reason) {
      LOG.warning(reason + " (the last good secret values keep serving)");
    }

    @Override
    public void recovered(String address) {
      LOG.info("Vault at " + address + " answers again");
    }
  }
}
