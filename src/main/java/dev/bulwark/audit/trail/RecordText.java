package dev.bulwark.audit.trail;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writes a found record for a terminal or a program, safe to print: as one JSON line in which every
 * character outside printable ASCII (control characters, DEL, ANSI escape sequences, line
 * separators, bidirectional overrides, any non-ASCII) is a {@code \\uXXXX} escape, or as one text
 * line {@code name=value ...} in which the same characters and the backslash, the space, the quote
 * and the equals sign are escaped the same way, so no field can start a new line, move the cursor,
 * recolour the terminal or pass for another field.
 */
public final class RecordText {
  private static final ObjectMapper JSON = mapper();

  private static ObjectMapper mapper() {
    JsonFactory f = JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    f.setCharacterEscapes(new AsciiOnly());
    return new ObjectMapper(f);
  }

  private RecordText() {}

  /** Returns the record as one JSON line (no newline). */
  public static String json(ObjectNode record) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      JSON.writeTree(g, record);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Returns the record as one text line: time, action, outcome, then {@code name=value} pairs. */
  public static String line(ObjectNode record) {
    StringBuilder sb = new StringBuilder(200);
    sb.append(escape(text(record, EcsNames.TIMESTAMP)))
        .append(' ')
        .append(escape(text(record, EcsNames.ACTION)))
        .append(' ')
        .append(escape(text(record, EcsNames.OUTCOME)));
    Iterator<Map.Entry<String, JsonNode>> fields = record.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      String name = f.getKey();
      if (name.equals(EcsNames.TIMESTAMP)
          || name.equals(EcsNames.ACTION)
          || name.equals(EcsNames.OUTCOME)
          || name.equals(EcsNames.SCHEMA_FIELD)
          || name.equals("bulwark.trail")) {
        continue;
      }
      JsonNode v = f.getValue();
      String value = v.isValueNode() ? v.asText() : v.toString();
      sb.append(' ').append(escape(name)).append('=').append(escape(value));
    }
    return sb.toString();
  }

  private static String text(ObjectNode record, String name) {
    JsonNode n = record.get(name);
    return n == null ? "-" : n.asText();
  }

  /**
   * Returns {@code s} with every character outside printable ASCII, and the backslash, space, quote
   * and equals sign, written as {@code \\uXXXX} (the backslash as {@code \\\\}).
   */
  public static String escape(@Nullable String s) {
    if (s == null) {
      return "-";
    }
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean plain = c > 0x20 && c < 0x7f && c != '\\' && c != '"' && c != '=';
      if (plain) {
        if (sb != null) {
          sb.append(c);
        }
        continue;
      }
      if (sb == null) {
        sb = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      if (c == '\\') {
        sb.append("\\\\");
      } else {
        sb.append(String.format("\\u%04x", (int) c));
      }
    }
    return sb == null ? s : sb.toString();
  }

  /** JSON escapes that also escape DEL (the standard ones stop at the C0 controls). */
  private static final class AsciiOnly extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private final int[] ascii;

    AsciiOnly() {
      ascii = CharacterEscapes.standardAsciiEscapesForJSON();
      ascii[0x7f] = CharacterEscapes.ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii.clone();
    }

    @Override
    public @Nullable SerializableString getEscapeSequence(int ch) {
      return null;
    }
  }
}
