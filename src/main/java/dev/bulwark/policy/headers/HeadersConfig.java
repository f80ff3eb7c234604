package dev.bulwark.policy.headers;

import dev.bulwark.config.ConfigNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which security headers a route's responses carry: a preset ({@code strict} for APIs, {@code web}
 * for HTML apps, {@code off}), headers set or replaced over it, and headers removed from upstream
 * responses on top of the preset's banner list.
 */
public record HeadersConfig(Preset preset, Map<String, String> set, List<String> remove) {

  /** A ready set of security headers. */
  public enum Preset {
    STRICT,
    WEB,
    OFF
  }

  /** The strict default. */
  public static final HeadersConfig STRICT = new HeadersConfig(Preset.STRICT, Map.of(), List.of());

  public HeadersConfig {
    set = Map.copyOf(set);
    remove = List.copyOf(remove);
  }

  /** Reads {@code headers: strict|web|off} or the mapping form over the inherited setting. */
  public static HeadersConfig read(ConfigNode n, HeadersConfig inherited) {
    if (!n.present()) {
      return inherited;
    }
    if (n.isScalar()) {
      return new HeadersConfig(preset(n, inherited.preset()), Map.of(), List.of());
    }
    if (!n.expectMapping(Set.of("preset", "set", "remove"))) {
      return inherited;
    }
    Preset preset =
        n.get("preset").present()
            ? preset(n.get("preset"), inherited.preset())
            : inherited.preset();
    Map<String, String> set = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigNode> e : n.get("set").entries().entrySet()) {
      String name = e.getKey();
      String value = e.getValue().requiredString("a header value");
      if (!isToken(name)) {
        e.getValue().error("invalid header name (expected: letters, digits and -)");
      } else if (value != null && !isFieldValue(value)) {
        e.getValue().error("invalid header value (expected: printable characters, no line breaks)");
      } else if (value != null) {
        set.put(name, value);
      }
    }
    List<String> remove = new ArrayList<>();
    for (ConfigNode e : n.get("remove").elements()) {
      String name = e.requiredString("a header name");
      if (name != null && !isToken(name)) {
        e.error("invalid header name (expected: letters, digits and -)");
      } else if (name != null) {
        remove.add(name.toLowerCase(Locale.ROOT));
      }
    }
    return new HeadersConfig(preset, set, remove);
  }

  private static Preset preset(ConfigNode n, Preset fallback) {
    if (n.isOff()) {
      n.warning("off: responses carry no security headers and upstream banners pass through");
      return Preset.OFF;
    }
    String s = n.string("strict, web or off");
    if (s == null) {
      return fallback;
    }
    switch (s) {
      case "strict":
        return Preset.STRICT;
      case "web":
        return Preset.WEB;
      default:
        n.invalid("strict, web or off");
        return fallback;
    }
  }

  static boolean isToken(String name) {
    if (name.isEmpty() || name.length() > 128) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(Character.isLetterOrDigit(c) && c < 128) && c != '-' && c != '_') {
        return false;
      }
    }
    return true;
  }

  static boolean isFieldValue(String value) {
    if (value.length() > 4096) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0x7e) {
        return false;
      }
    }
    return true;
  }
}
