package dev.bulwark.probe;

import static java.util.Objects.requireNonNull;

/**
 * One HTTP header line as sent or received.
 *
 * @param name the field name as it appeared on the wire
 * @param value the field value without surrounding whitespace
 */
public record HeaderField(String name, String value) {

  /** Checks that both parts are present. */
  public HeaderField {
    requireNonNull(name, "name");
    requireNonNull(value, "value");
  }

  /** Returns whether this field has the given name, ignoring case. */
  public boolean is(String fieldName) {
    return name.equalsIgnoreCase(fieldName);
  }

  @Override
  public String toString() {
    return name + ": " + value;
  }
}
