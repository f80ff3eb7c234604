package dev.bulwark.store.sealed;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The identity of the place a sealed value lives (table, row, column): it is authenticated with the
 * value as associated data, so a value copied onto another row or column does not open.
 */
public record RecordId(String table, String row, String column) {
  public RecordId {
    requireNonNull(table, "table");
    requireNonNull(row, "row");
    requireNonNull(column, "column");
  }

  /** Returns the identity as length-prefixed UTF-8 fields, unambiguous for any three strings. */
  byte[] encoded() {
    byte[] t = table.getBytes(StandardCharsets.UTF_8);
    byte[] r = row.getBytes(StandardCharsets.UTF_8);
    byte[] c = column.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(12 + t.length + r.length + c.length)
        .putInt(t.length)
        .put(t)
        .putInt(r.length)
        .put(r)
        .putInt(c.length)
        .put(c)
        .array();
  }

  @Override
  public String toString() {
    return table + "/" + row + "/" + column;
  }
}
