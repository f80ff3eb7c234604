package dev.bulwark.policy.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.util.List;

/**
 * One declared parameter ({@code path}, {@code query}, {@code header} or {@code cookie}) with its
 * schema; values arrive as strings and are read as the schema's type before validation (arrays:
 * repeated query keys, or comma-separated in path and header values, the OpenAPI default styles).
 */
record Parameter(String name, String in, boolean required, Schema schema) {
  private static final int MAX_NUMBER_TEXT = 40;

  /** Returns the value(s) as JSON for validation. */
  JsonNode read(List<String> values) {
    if ((schema.types & Schema.ARRAY) != 0 && schema.types != Schema.ANY) {
      ArrayNode a = JsonNodeFactory.instance.arrayNode();
      Schema items = schema.items;
      int itemTypes = items == null ? Schema.ANY : items.types;
      for (String v : values) {
        if (in.equals("query") && values.size() > 1) {
          a.add(scalar(v, itemTypes));
        } else {
          for (String part : v.split(",", -1)) {
            a.add(scalar(part, itemTypes));
          }
        }
      }
      return a;
    }
    return scalar(values.get(0), schema.types);
  }

  static JsonNode scalar(String raw, int types) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if ((types & (Schema.INTEGER | Schema.NUMBER)) != 0
        && types != Schema.ANY
        && looksNumeric(raw)) {
      try {
        return f.numberNode(new BigDecimal(raw));
      } catch (NumberFormatException e) {
        return f.textNode(raw);
      }
    }
    if ((types & Schema.BOOLEAN) != 0 && types != Schema.ANY) {
      if (raw.equals("true")) {
        return f.booleanNode(true);
      }
      if (raw.equals("false")) {
        return f.booleanNode(false);
      }
    }
    return f.textNode(raw);
  }

  private static boolean looksNumeric(String s) {
    if (s.isEmpty() || s.length() > MAX_NUMBER_TEXT) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.')) {
        return false;
      }
    }
    return true;
  }
}
