package dev.bulwark.policy.contract;

import dev.bulwark.config.ConfigNode;
import java.util.Set;

/**
 * The JSON safety limits of a route, checked while parsing and before any schema work: nesting
 * depth, members per object, elements per array, string length (characters, names included) and
 * number length (characters).
 */
public record JsonLimits(int depth, int members, int elements, int stringLength, int numberLength) {
  /** The strict defaults. */
  public static final JsonLimits DEFAULTS = new JsonLimits(32, 256, 1024, 8192, 32);

  static final Set<String> KEYS =
      Set.of("depth", "members", "elements", "string-length", "number-length");

  static JsonLimits read(ConfigNode n) {
    if (!n.present()) {
      return DEFAULTS;
    }
    n.expectMapping(KEYS);
    JsonLimits d = DEFAULTS;
    JsonLimits l =
        new JsonLimits(
            loosened(n.get("depth"), d.depth(), 512),
            loosened(n.get("members"), d.members(), 100_000),
            loosened(n.get("elements"), d.elements(), 1_000_000),
            loosened(n.get("string-length"), d.stringLength(), 64 << 20),
            loosened(n.get("number-length"), d.numberLength(), 1000));
    return l;
  }

  private static int loosened(ConfigNode n, int strict, int max) {
    int v = n.integer(strict, 1, max);
    if (v > strict) {
      n.warning(v + " is looser than the strict default " + strict);
    }
    return v;
  }
}
