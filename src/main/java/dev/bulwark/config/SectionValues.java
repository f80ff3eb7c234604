package dev.bulwark.config;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The values that the {@link ConfigSection}s read at one place (a route, {@code defaults}, the top
 * level), in the order the sections were given, each looked up by its type. Immutable.
 */
public final class SectionValues {
  /** No sections. */
  public static final SectionValues NONE = new SectionValues(List.of(), List.of());

  private final List<ConfigSection<?>> sections;
  private final List<Object> values;

  SectionValues(List<? extends ConfigSection<?>> sections, List<Object> values) {
    if (sections.size() != values.size()) {
      throw new IllegalArgumentException(
          "values: " + values.size() + " (expected: one per section, " + sections.size() + ")");
    }
    this.sections = List.copyOf(sections);
    this.values = List.copyOf(values);
  }

  /** Returns how many sections there are. */
  public int size() {
    return sections.size();
  }

  /** Returns the section at an index. */
  public ConfigSection<?> section(int index) {
    return sections.get(index);
  }

  /** Returns the value of the section at an index. */
  public Object value(int index) {
    return values.get(index);
  }

  /** Returns the value of the section whose type is {@code type}. */
  public <T> T get(Class<T> type) {
    for (int i = 0; i < sections.size(); i++) {
      if (sections.get(i).type().equals(type)) {
        return type.cast(values.get(i));
      }
    }
    throw new IllegalArgumentException("no section of type " + type.getSimpleName());
  }

  /** Returns the value of the section whose type is {@code type}, or null when there is none. */
  public <T> @Nullable T find(Class<T> type) {
    for (int i = 0; i < sections.size(); i++) {
      if (sections.get(i).type().equals(type)) {
        return type.cast(values.get(i));
      }
    }
    return null;
  }

  /** Returns the values that are a {@code type} (such as every {@link StartupNote}), in order. */
  public <T> List<T> all(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (Object v : values) {
      if (type.isInstance(v)) {
        out.add(type.cast(v));
      }
    }
    return out;
  }

  /** Returns what the first section that guards the route guards it with, or null. */
  @Nullable String guard() {
    for (int i = 0; i < sections.size(); i++) {
      String g = guard(sections.get(i), values.get(i));
      if (g != null) {
        return g;
      }
    }
    return null;
  }

  private static <C> @Nullable String guard(ConfigSection<C> section, Object value) {
    return section.guard(section.type().cast(value));
  }
}
