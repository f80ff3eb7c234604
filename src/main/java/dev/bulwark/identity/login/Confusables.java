package dev.bulwark.identity.login;

import java.util.HashMap;
import java.util.Map;

/**
 * The look-alikes a login name's skeleton maps to Latin: the lower-case Cyrillic and Greek letters
 * that common fonts draw like Latin ones (a subset of the Unicode confusables data, kept to the
 * letters seen in spoofed names), a few Latin variants, and the digits and marks that pass for
 * letters.
 */
final class Confusables {
  /** Pairs of a look-alike and the Latin letter it imitates. */
  private static final String PAIRS =
      // Cyrillic
      "аa еe оo рp сc уy хx іi јj ѕs ԁd һh ӏl ԛq ԝw үy кk ьb "
          // Greek
          + "αa οo ρp νv ιi κk τt υu χx "
          // Latin variants, digits and marks
          + "ɑa ɡg ǀl ıi 0o 1l |l";

  private static final Map<Integer, Integer> PROTOTYPES = new HashMap<>();

  static {
    for (String pair : PAIRS.split(" ")) {
      int from = pair.codePointAt(0);
      int to = pair.codePointAt(Character.charCount(from));
      PROTOTYPES.put(from, to);
    }
  }

  private Confusables() {}

  /** Returns the Latin letter {@code cp} imitates, or {@code cp}. */
  static int prototype(int cp) {
    return PROTOTYPES.getOrDefault(cp, cp);
  }
}
