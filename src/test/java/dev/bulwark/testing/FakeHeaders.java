package dev.bulwark.testing;

import dev.bulwark.exchange.HeaderMap;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** A plain, ordered {@link HeaderMap} for fake exchanges: names compare case-insensitively. */
public final class FakeHeaders implements HeaderMap {
  private final List<String[]> entries = new ArrayList<>();

  @Override
  public @Nullable String get(CharSequence name) {
    for (String[] e : entries) {
      if (e[0].equalsIgnoreCase(name.toString())) {
        return e[1];
      }
    }
    return null;
  }

  @Override
  public List<String> getAll(CharSequence name) {
    List<String> out = new ArrayList<>();
    for (String[] e : entries) {
      if (e[0].equalsIgnoreCase(name.toString())) {
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
    entries.add(new String[] {name.toString(), value.toString()});
    return this;
  }

  @Override
  public HeaderMap remove(CharSequence name) {
    entries.removeIf(e -> e[0].equalsIgnoreCase(name.toString()));
    return this;
  }

  /** Returns the names present, in order of first appearance, as written. */
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

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (String[] e : entries) {
      sb.append(sb.length() == 1 ? "" : ", ").append(e[0]).append(": ").append(e[1]);
    }
    return sb.append('}').toString();
  }
}
