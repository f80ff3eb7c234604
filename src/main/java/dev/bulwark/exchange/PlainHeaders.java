package dev.bulwark.exchange;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A {@link HeaderMap} of plain values, in the order they were added, for exchanges that no server
 * carries (offline runs, tests): names compare case-insensitively and keep their spelling.
 */
public final class PlainHeaders implements HeaderMap {
  private final List<String[]> entries = new ArrayList<>();

  @Override
  public @Nullable String get(CharSequence name) {
    String n = name.toString();
    for (String[] e : entries) {
      if (e[0].equalsIgnoreCase(n)) {
        return e[1];
      }
    }
    return null;
  }

  @Override
  public List<String> getAll(CharSequence name) {
    String n = name.toString();
    List<String> out = new ArrayList<>();
    for (String[] e : entries) {
      if (e[0].equalsIgnoreCase(n)) {
        out.add(e[1]);
      }
    }
    return out;
  }

  @Override
  public boolean contains(CharSequence name) {
    return get(name) != null;
  }

  @Override
  public HeaderMap set(CharSequence name, CharSequence value) {
    remove(name);
    return add(name, value);
  }

  @Override
  public HeaderMap add(CharSequence name, CharSequence value) {
    entries.add(
        new String[] {
          requireNonNull(name, "name").toString(), requireNonNull(value, "value").toString()
        });
    return this;
  }

  @Override
  public HeaderMap remove(CharSequence name) {
    String n = name.toString();
    entries.removeIf(e -> e[0].equalsIgnoreCase(n));
    return this;
  }

  @Override
  public void forEach(java.util.function.BiConsumer<String, String> action) {
    for (String[] e : List.copyOf(entries)) {
      action.accept(e[0], e[1]);
    }
  }

  /** Returns the names present, in order of first appearance, as first written. */
  public List<String> names() {
    List<String> out = new ArrayList<>();
    for (String[] e : entries) {
      boolean seen = false;
      for (String n : out) {
        seen |= n.equalsIgnoreCase(e[0]);
      }
      if (!seen) {
        out.add(e[0]);
      }
    }
    return out;
  }

  /** Returns a copy of these headers that changes independently of them. */
  public PlainHeaders copy() {
    PlainHeaders c = new PlainHeaders();
    for (String[] e : entries) {
      c.entries.add(e.clone());
    }
    return c;
  }

  /**
   * Returns every header as lower-case name to values, names in order of first appearance, values
   * in order; an unmodifiable copy.
   */
  public Map<String, List<String>> toMap() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String[] e : entries) {
      out.computeIfAbsent(e[0].toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(e[1]);
    }
    Map<String, List<String>> copy = new LinkedHashMap<>();
    out.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    return Collections.unmodifiableMap(copy);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (String[] e : entries) {
      sb.append(sb.length() == 1 ? "" : ", ").append(e[0]).append(": ").append(e[1]);
    }
    return sb.append('}').toString();
  }
}
