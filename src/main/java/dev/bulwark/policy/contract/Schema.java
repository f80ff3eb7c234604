package dev.bulwark.policy.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.re2j.Pattern;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One compiled JSON Schema (the subset OpenAPI 3.0/3.1 uses): filled once by {@link SchemaCompiler}
 * at config load, then only read. Validation walks a parsed document and reports fixed reasons,
 * never the offending value.
 */
final class Schema {
  static final int NULL = 1;
  static final int BOOLEAN = 2;
  static final int INTEGER = 4;
  static final int NUMBER = 8;
  static final int STRING = 16;
  static final int ARRAY = 32;
  static final int OBJECT = 64;
  static final int ANY = 127;

  private static final Schema[] NONE = new Schema[0];

  /** Where the schema sits in its contract file (a JSON Pointer), for lint and errors. */
  final String at;

  int types = ANY;
  boolean never;
  int minLength;
  int maxLength = -1;
  @Nullable Pattern pattern;

  /** The same pattern when it is a simple linear one (then it runs instead of RE2J). */
  @Nullable LinearPattern linearPattern;

  @Nullable Format format;
  @Nullable BigDecimal minimum;
  @Nullable BigDecimal maximum;
  @Nullable BigDecimal exclusiveMinimum;
  @Nullable BigDecimal exclusiveMaximum;
  @Nullable BigDecimal multipleOf;
  @Nullable Schema items;
  int minItems;
  int maxItems = -1;
  boolean uniqueItems;
  Map<String, Schema> properties = Map.of();
  Set<String> required = Set.of();
  @Nullable Schema additional;
  boolean additionalAllowed = true;
  int minProperties;
  int maxProperties = -1;
  @Nullable List<JsonNode> enumValues;
  Schema[] allOf = NONE;
  Schema[] anyOf = NONE;
  Schema[] oneOf = NONE;
  @Nullable Schema not;

  Schema(String at) {
    this.at = at;
  }

  /** Validates a value, reporting each violation under {@code location}. */
  void validate(JsonNode n, Loc loc, String location, Violations v) {
    if (never) {
      v.add(location, loc, "not allowed here");
      return;
    }
    int t = typeOf(n);
    if ((types & t) == 0 && !(t == INTEGER && (types & NUMBER) != 0)) {
      v.add(location, loc, "expected " + typeNames(types));
      return;
    }
    if (enumValues != null && !inEnum(n)) {
      v.add(location, loc, "not one of the allowed values");
    }
    switch (t) {
      case STRING -> checkString(n.textValue(), loc, location, v);
      case INTEGER, NUMBER -> checkNumber(n.decimalValue(), loc, location, v);
      case ARRAY -> checkArray(n, loc, location, v);
      case OBJECT -> checkObject(n, loc, location, v);
      default -> {}
    }
    if (v.silentMode() && !v.isEmpty()) {
      return;
    }
    for (Schema s : allOf) {
      s.validate(n, loc, location, v);
    }
    if (anyOf.length > 0) {
      boolean any = false;
      for (Schema s : anyOf) {
        if (s.accepts(n)) {
          any = true;
          break;
        }
      }
      if (!any) {
        v.add(location, loc, "matches none of anyOf");
      }
    }
    if (oneOf.length > 0) {
      int matched = 0;
      for (Schema s : oneOf) {
        if (s.accepts(n) && ++matched > 1) {
          break;
        }
      }
      if (matched != 1) {
        v.add(
            location,
            loc,
            matched == 0 ? "matches none of oneOf" : "matches more than one of oneOf");
      }
    }
    Schema nt = not;
    if (nt != null && nt.accepts(n)) {
      v.add(location, loc, "matches a schema it must not match");
    }
  }

  /** Returns whether a value validates, without collecting details. */
  boolean accepts(JsonNode n) {
    Violations trial = Violations.silent();
    validate(n, Loc.ROOT, "", trial);
    return trial.isEmpty();
  }

  private void checkString(String s, Loc loc, String location, Violations v) {
    if (minLength > 0 || maxLength >= 0) {
      int len = s.codePointCount(0, s.length());
      if (len < minLength) {
        v.add(location, loc, "shorter than minLength " + minLength);
      } else if (maxLength >= 0 && len > maxLength) {
        v.add(location, loc, "longer than maxLength " + maxLength);
      }
    }
    LinearPattern lp = linearPattern;
    Pattern p = pattern;
    if (lp != null ? !lp.find(s) : p != null && !p.matcher(s).find()) {
      v.add(location, loc, "does not match the pattern");
    }
    Format f = format;
    if (f != null && !f.acceptsString(s)) {
      v.add(location, loc, "not a valid " + f.label());
    }
  }

  private void checkNumber(BigDecimal d, Loc loc, String location, Violations v) {
    BigDecimal b = minimum;
    if (b != null && d.compareTo(b) < 0) {
      v.add(location, loc, "below minimum " + b.toPlainString());
    }
    b = maximum;
    if (b != null && d.compareTo(b) > 0) {
      v.add(location, loc, "above maximum " + b.toPlainString());
    }
    b = exclusiveMinimum;
    if (b != null && d.compareTo(b) <= 0) {
      v.add(location, loc, "not above exclusiveMinimum " + b.toPlainString());
    }
    b = exclusiveMaximum;
    if (b != null && d.compareTo(b) >= 0) {
      v.add(location, loc, "not below exclusiveMaximum " + b.toPlainString());
    }
    b = multipleOf;
    if (b != null && d.remainder(b).signum() != 0) {
      v.add(location, loc, "not a multiple of " + b.toPlainString());
    }
    Format f = format;
    if (f != null && !f.acceptsNumber(d)) {
      v.add(location, loc, "out of range for " + f.label());
    }
  }

  private void checkArray(JsonNode n, Loc loc, String location, Violations v) {
    int size = n.size();
    if (size < minItems) {
      v.add(location, loc, "fewer than minItems " + minItems);
    } else if (maxItems >= 0 && size > maxItems) {
      v.add(location, loc, "more than maxItems " + maxItems);
    }
    if (uniqueItems && size > 1) {
      Set<JsonNode> seen = new HashSet<>();
      for (JsonNode e : n) {
        if (!seen.add(e)) {
          v.add(location, loc, "items are not unique");
          break;
        }
      }
    }
    Schema it = items;
    if (it != null) {
      for (int i = 0; i < size; i++) {
        it.validate(n.get(i), loc.child(i), location, v);
        if (v.silentMode() && !v.isEmpty()) {
          return;
        }
      }
    }
  }

  private void checkObject(JsonNode n, Loc loc, String location, Violations v) {
    int size = n.size();
    if (size < minProperties) {
      v.add(location, loc, "fewer than minProperties " + minProperties);
    } else if (maxProperties >= 0 && size > maxProperties) {
      v.add(location, loc, "more than maxProperties " + maxProperties);
    }
    for (String r : required) {
      if (!n.has(r)) {
        v.add(location, loc.child(r), "required property missing");
      }
    }
    Iterator<Map.Entry<String, JsonNode>> fields = n.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      Schema p = properties.get(f.getKey());
      if (p != null) {
        p.validate(f.getValue(), loc.child(f.getKey()), location, v);
      } else if (!additionalAllowed) {
        v.add(location, loc.child(f.getKey()), "property not declared");
      } else if (additional != null) {
        additional.validate(f.getValue(), loc.child(f.getKey()), location, v);
      }
      if (v.silentMode() && !v.isEmpty()) {
        return;
      }
    }
  }

  private boolean inEnum(JsonNode n) {
    List<JsonNode> values = enumValues;
    if (values == null) {
      return true;
    }
    for (JsonNode e : values) {
      if (e.equals(n)
          || (e.isNumber() && n.isNumber() && e.decimalValue().compareTo(n.decimalValue()) == 0)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Removes, in place, the object members that no schema on the way declares (kept when an
   * additionalProperties schema admits them); arrays and declared members are walked.
   */
  void strip(JsonNode n) {
    if (n.isArray()) {
      Set<Schema> itemSchemas = new HashSet<>();
      collectItems(this, itemSchemas, 0);
      for (JsonNode e : n) {
        for (Schema s : itemSchemas) {
          s.strip(e);
        }
      }
      return;
    }
    if (!n.isObject()) {
      return;
    }
    List<Schema> all = new ArrayList<>();
    flatten(this, all, 0);
    boolean open = false;
    Set<String> declared = new HashSet<>();
    for (Schema s : all) {
      declared.addAll(s.properties.keySet());
      open |= s.additional != null;
    }
    ObjectNode o = (ObjectNode) n;
    if (!open) {
      o.retain(declared);
    }
    Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      for (Schema s : all) {
        Schema p = s.properties.get(f.getKey());
        if (p != null) {
          p.strip(f.getValue());
        }
      }
    }
  }

  private static void flatten(Schema s, List<Schema> out, int depth) {
    if (depth > 16 || out.contains(s)) {
      return;
    }
    out.add(s);
    for (Schema[] group : new Schema[][] {s.allOf, s.anyOf, s.oneOf}) {
      for (Schema c : group) {
        flatten(c, out, depth + 1);
      }
    }
  }

  private static void collectItems(Schema s, Set<Schema> out, int depth) {
    List<Schema> all = new ArrayList<>();
    flatten(s, all, depth);
    for (Schema c : all) {
      if (c.items != null) {
        out.add(c.items);
      }
    }
  }

  static int typeOf(JsonNode n) {
    if (n.isTextual()) {
      return STRING;
    }
    if (n.isObject()) {
      return OBJECT;
    }
    if (n.isArray()) {
      return ARRAY;
    }
    if (n.isBoolean()) {
      return BOOLEAN;
    }
    if (n.isNumber()) {
      if (n.isIntegralNumber()) {
        return INTEGER;
      }
      BigDecimal d = n.decimalValue();
      return d.signum() == 0 || d.stripTrailingZeros().scale() <= 0 ? INTEGER : NUMBER;
    }
    return NULL;
  }

  static String typeNames(int types) {
    StringBuilder sb = new StringBuilder();
    String[] names = {"null", "boolean", "integer", "number", "string", "array", "object"};
    for (int i = 0; i < names.length; i++) {
      if ((types & (1 << i)) != 0) {
        sb.append(sb.length() == 0 ? "" : " or ").append(names[i]);
      }
    }
    return sb.toString();
  }
}
