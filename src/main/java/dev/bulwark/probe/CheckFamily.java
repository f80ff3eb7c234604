package dev.bulwark.probe;

import java.util.Locale;

/** The groups of checks, in the order the probe runs them. */
public enum CheckFamily {
  TARGET,
  TRANSPORT,
  HEADERS,
  CORS,
  ERRORS,
  LIMITS,
  SMUGGLING;

  /** Returns the lower-case name used on the command line and in reports. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Returns the family with the given label, ignoring case. */
  public static CheckFamily fromLabel(String label) {
    for (CheckFamily family : values()) {
      if (family.label().equalsIgnoreCase(label.trim())) {
        return family;
      }
    }
    throw new IllegalArgumentException(
        "check family: "
            + label
            + " (expected one of: transport,"
            + " headers, cors, errors, limits, smuggling)");
  }
}
