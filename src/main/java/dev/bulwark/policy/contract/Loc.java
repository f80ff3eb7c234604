package dev.bulwark.policy.contract;

import org.jspecify.annotations.Nullable;

/**
 * A position in a JSON document, built as validation descends and rendered as a JSON Pointer (RFC
 * 6901) only when a violation is reported.
 */
final class Loc {
  static final Loc ROOT = new Loc(null, null, -1);

  private final @Nullable Loc parent;
  private final @Nullable String name;
  private final int index;

  private Loc(@Nullable Loc parent, @Nullable String name, int index) {
    this.parent = parent;
    this.name = name;
    this.index = index;
  }

  /** Returns a root location named by a parameter (its pointer is the name itself). */
  static Loc named(String name) {
    return new Loc(null, name, -2);
  }

  Loc child(String key) {
    return new Loc(this, key, -1);
  }

  Loc child(int i) {
    return new Loc(this, null, i);
  }

  String pointer() {
    StringBuilder sb = new StringBuilder();
    render(sb);
    return sb.toString();
  }

  private void render(StringBuilder sb) {
    Loc p = parent;
    if (p != null) {
      p.render(sb);
    }
    if (index == -2) {
      sb.append(name);
    } else if (name != null) {
      sb.append('/').append(name.replace("~", "~0").replace("/", "~1"));
    } else if (index >= 0) {
      sb.append('/').append(index);
    }
  }
}
