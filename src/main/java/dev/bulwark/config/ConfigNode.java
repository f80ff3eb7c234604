package dev.bulwark.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.secret.VaultSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A position in the parsed configuration tree that knows its path and reports every mistake to a
 * shared {@link Problems}; readers return a default after reporting, so reading goes on and all
 * errors are found at once.
 */
public final class ConfigNode {
  private final @Nullable JsonNode node;
  private final String path;
  private final Problems problems;
  private final SecretResolver secrets;

  ConfigNode(@Nullable JsonNode node, String path, Problems problems, SecretResolver secrets) {
    this.node = node;
    this.path = path;
    this.problems = problems;
    this.secrets = secrets;
  }

  /** Returns the config path of this node, such as {@code routes[2].limits.body}. */
  public String path() {
    return path;
  }

  /** Returns the collector that this node reports to. */
  public Problems problems() {
    return problems;
  }

  /** Returns whether the key was given with a value. */
  public boolean present() {
    return node != null && !node.isNull() && !node.isMissingNode();
  }

  /** Returns whether the value is a mapping. */
  public boolean isMapping() {
    return node != null && node.isObject();
  }

  /** Returns whether the value is a scalar string, number or boolean. */
  public boolean isScalar() {
    return node != null && node.isValueNode() && !node.isNull();
  }

  /**
   * Returns the Vault session of the file's {@code vault} section for a use here (a transit key),
   * or null after reporting here why there is none.
   */
  public @Nullable VaultSession vault() {
    return secrets.session(path, problems);
  }

  /** Returns the child at a key (which may be absent). */
  public ConfigNode get(String key) {
    JsonNode child = node != null && node.isObject() ? node.get(key) : null;
    return new ConfigNode(child, path.isEmpty() ? key : path + "." + key, problems, secrets);
  }

  /** Reports an error at this node's path. */
  public void error(String message) {
    problems.error(path, message);
  }

  /** Reports a warning at this node's path. */
  public void warning(String message) {
    problems.warning(path, message);
  }

  /** Reports an error naming the given value and what was expected. */
  public void invalid(String expected) {
    problems.error(path, describe() + " (expected: " + expected + ")");
  }

  /**
   * Checks that this node is a mapping whose keys are all in {@code allowed}, reporting each
   * unknown key; returns false when the node is not a mapping.
   */
  public boolean expectMapping(Set<String> allowed) {
    if (!present()) {
      return false;
    }
    if (node == null || !node.isObject()) {
      invalid("a mapping");
      return false;
    }
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        String at = path.isEmpty() ? name : path + "." + name;
        problems.error(
            at, "unknown key (expected one of: " + String.join(", ", sorted(allowed)) + ")");
      }
    }
    return true;
  }

  /** Returns a required string (secret references resolved), or null after reporting. */
  public @Nullable String requiredString(String expected) {
    if (!present()) {
      problems.error(path, "missing (expected: " + expected + ")");
      return null;
    }
    return string(expected);
  }

  /**
   * Returns the string value (secret references resolved), a default when absent, or null after
   * reporting.
   */
  public @Nullable String string(String expected) {
    if (!present()) {
      return null;
    }
    JsonNode n = node;
    if (n == null || !(n.isTextual() || n.isNumber())) {
      invalid(expected);
      return null;
    }
    return secrets.resolve(n.asText(), path, problems);
  }

  /** Returns the string value or the default when absent or invalid. */
  public String string(String expected, String fallback) {
    String s = string(expected);
    return s == null ? fallback : s;
  }

  /** Returns one of {@code choices}, the default when absent, or the default after reporting. */
  public String choice(List<String> choices, String fallback) {
    String expected = "one of " + String.join(", ", choices);
    String s = string(expected);
    if (s == null) {
      return fallback;
    }
    if (!choices.contains(s)) {
      invalid(expected);
      return fallback;
    }
    return s;
  }

  /**
   * Returns whether the value means "off": the word {@code off}, or {@code false} (which YAML 1.1
   * also reads {@code off} as).
   */
  public boolean isOff() {
    JsonNode n = node;
    return n != null
        && ((n.isBoolean() && !n.booleanValue()) || (n.isTextual() && n.textValue().equals("off")));
  }

  /** Returns the literal text of a scalar without resolving references (for the lint). */
  public @Nullable String rawText() {
    return node != null && node.isValueNode() ? node.asText() : null;
  }

  /** Returns a boolean, the default when absent. */
  public boolean bool(boolean fallback) {
    if (!present()) {
      return fallback;
    }
    JsonNode n = node;
    if (n == null || !n.isBoolean()) {
      invalid("true or false");
      return fallback;
    }
    return n.booleanValue();
  }

  /** Returns an integer within bounds, the default when absent or out of bounds. */
  public int integer(int fallback, int min, int max) {
    if (!present()) {
      return fallback;
    }
    JsonNode n = node;
    if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()) {
      invalid("an integer");
      return fallback;
    }
    int v = n.intValue();
    if (v < min || v > max) {
      invalid(range(min, max));
      return fallback;
    }
    return v;
  }

  /** Returns a size in bytes within bounds, the default when absent or invalid. */
  public long size(long fallback, long min, long max) {
    if (!present()) {
      return fallback;
    }
    JsonNode n = node;
    Long v = null;
    if (n != null && n.isIntegralNumber() && n.canConvertToLong()) {
      v = n.longValue();
    } else if (n != null && n.isTextual()) {
      v = Units.parseSize(n.textValue());
    }
    if (v == null) {
      invalid("a size such as 512KiB or 1MiB");
      return fallback;
    }
    if (v < min || v > max) {
      invalid("between " + Units.formatSize(min) + " and " + Units.formatSize(max));
      return fallback;
    }
    return v;
  }

  /** Returns a duration within bounds, the default when absent or invalid. */
  public Duration duration(Duration fallback, Duration min, Duration max) {
    if (!present()) {
      return fallback;
    }
    JsonNode n = node;
    Duration v = n != null && n.isTextual() ? Units.parseDuration(n.textValue()) : null;
    if (v == null) {
      invalid("a duration such as 500ms, 30s or 15m");
      return fallback;
    }
    if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
      invalid("between " + Units.formatDuration(min) + " and " + Units.formatDuration(max));
      return fallback;
    }
    return v;
  }

  /** Returns the elements of a list (empty when absent), reporting a non-list. */
  public List<ConfigNode> elements() {
    if (!present()) {
      return List.of();
    }
    JsonNode n = node;
    if (n == null || !n.isArray()) {
      invalid("a list");
      return List.of();
    }
    List<ConfigNode> out = new ArrayList<>(n.size());
    for (int i = 0; i < n.size(); i++) {
      out.add(new ConfigNode(n.get(i), path + "[" + i + "]", problems, secrets));
    }
    return out;
  }

  /** Returns a list of strings (empty when absent), reporting each element that is not a string. */
  public List<String> strings(String expected) {
    List<String> out = new ArrayList<>();
    for (ConfigNode e : elements()) {
      String s = e.requiredString(expected);
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  /**
   * Returns the entries of a mapping in file order (empty when absent), reporting a non-mapping.
   */
  public Map<String, ConfigNode> entries() {
    Map<String, ConfigNode> out = new LinkedHashMap<>();
    if (!present()) {
      return out;
    }
    JsonNode n = node;
    if (n == null || !n.isObject()) {
      invalid("a mapping");
      return out;
    }
    Iterator<Map.Entry<String, JsonNode>> it = n.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), new ConfigNode(e.getValue(), path + "." + e.getKey(), problems, secrets));
    }
    return out;
  }

  private String describe() {
    JsonNode n = node;
    if (n == null || n.isNull() || n.isMissingNode()) {
      return "missing";
    }
    if (n.isObject()) {
      return "a mapping";
    }
    if (n.isArray()) {
      return "a list";
    }
    String text = n.asText();
    if (text.length() > 60) {
      text = text.substring(0, 57) + "...";
    }
    return n.isTextual() ? "\"" + text + "\"" : text;
  }

  private static String range(int min, int max) {
    if (max == Integer.MAX_VALUE) {
      return min == 1 ? "> 0" : ">= " + min;
    }
    return "between " + min + " and " + max;
  }

  private static List<String> sorted(Set<String> keys) {
    List<String> l = new ArrayList<>(keys);
    l.sort(null);
    return l;
  }
}
