package dev.bulwark.policy.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles the JSON Schemas of a contract into {@link Schema}s: shared and recursive {@code $ref}s
 * become shared (cyclic) objects, patterns are compiled with RE2J (a pattern it cannot express is
 * an error), and keywords that would change validation but are not supported are errors rather than
 * silently ignored.
 */
final class SchemaCompiler {
  private static final Set<String> ANNOTATIONS =
      Set.of(
          "title",
          "description",
          "example",
          "examples",
          "default",
          "deprecated",
          "readOnly",
          "writeOnly",
          "xml",
          "externalDocs",
          "discriminator",
          "$comment",
          "$schema",
          "contentMediaType",
          "contentEncoding",
          "nullable",
          "$ref");
  private static final Set<String> SUPPORTED =
      Set.of(
          "type",
          "enum",
          "const",
          "format",
          "minLength",
          "maxLength",
          "pattern",
          "minimum",
          "maximum",
          "exclusiveMinimum",
          "exclusiveMaximum",
          "multipleOf",
          "items",
          "minItems",
          "maxItems",
          "uniqueItems",
          "properties",
          "required",
          "additionalProperties",
          "minProperties",
          "maxProperties",
          "allOf",
          "anyOf",
          "oneOf",
          "not");

  private final Refs refs;
  private final boolean v31;
  private final List<String> errors;
  private final List<String> warnings;
  private final Map<JsonNode, Schema> memo = new IdentityHashMap<>();
  private boolean lint;

  SchemaCompiler(Refs refs, boolean v31, List<String> errors, List<String> warnings) {
    this.refs = refs;
    this.v31 = v31;
    this.errors = errors;
    this.warnings = warnings;
  }

  /** Turns the lint (warnings for unbounded request schemas) on or off for what follows. */
  void lint(boolean on) {
    this.lint = on;
  }

  Schema compile(JsonNode node, String at) {
    return compile(node, at, 0);
  }

  private Schema compile(JsonNode node, String at, int depth) {
    if (depth > 64) {
      errors.add(at + ": schema nested deeper than 64");
      return new Schema(at);
    }
    if (node.isBoolean()) {
      Schema s = new Schema(at);
      s.never = !node.booleanValue();
      return s;
    }
    if (!node.isObject()) {
      errors.add(at + ": expected a schema object");
      return new Schema(at);
    }
    JsonNode ref = node.get("$ref");
    if (ref != null && ref.isTextual()) {
      Refs.At target = refs.deref(node, at);
      if (target == null) {
        return new Schema(at);
      }
      Schema resolved = memoized(target.node(), target.pointer(), depth);
      if (!v31 || !hasValidationKeywords(node)) {
        return resolved;
      }
      Schema s = new Schema(at);
      fill(s, node, at, depth);
      Schema[] all = new Schema[s.allOf.length + 1];
      all[0] = resolved;
      System.arraycopy(s.allOf, 0, all, 1, s.allOf.length);
      s.allOf = all;
      return s;
    }
    return memoized(node, at, depth);
  }

  private Schema memoized(JsonNode node, String at, int depth) {
    Schema known = memo.get(node);
    if (known != null) {
      return known;
    }
    Schema s = new Schema(at);
    memo.put(node, s);
    if (node.isBoolean()) {
      s.never = !node.booleanValue();
    } else {
      fill(s, node, at, depth);
    }
    return s;
  }

  private static boolean hasValidationKeywords(JsonNode node) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      if (SUPPORTED.contains(names.next())) {
        return true;
      }
    }
    return false;
  }

  private void fill(Schema s, JsonNode n, String at, int depth) {
    Iterator<String> names = n.fieldNames();
    while (names.hasNext()) {
      String k = names.next();
      if (!SUPPORTED.contains(k) && !ANNOTATIONS.contains(k) && !k.startsWith("x-")) {
        errors.add(at + "/" + Refs.escape(k) + ": keyword not supported by Bulwark's validator");
      }
    }
    readType(s, n, at);
    JsonNode e = n.get("enum");
    if (e != null) {
      if (!e.isArray() || e.isEmpty()) {
        errors.add(at + "/enum: expected a non-empty list");
      } else {
        List<JsonNode> values = new ArrayList<>();
        e.forEach(values::add);
        s.enumValues = List.copyOf(values);
      }
    }
    JsonNode c = n.get("const");
    if (c != null) {
      s.enumValues = List.of(c);
    }
    JsonNode f = n.get("format");
    if (f != null && f.isTextual()) {
      s.format = Format.of(f.textValue());
    }
    s.minLength = count(n, "minLength", at, 0);
    s.maxLength = count(n, "maxLength", at, -1);
    JsonNode p = n.get("pattern");
    if (p != null) {
      if (!p.isTextual()) {
        errors.add(at + "/pattern: expected a string");
      } else {
        try {
          s.pattern = Pattern.compile(p.textValue());
          s.linearPattern = LinearPattern.compile(p.textValue());
        } catch (PatternSyntaxException ex) {
          errors.add(
              at
                  + "/pattern: \""
                  + Refs.cut(p.textValue())
                  + "\" cannot be compiled by RE2J, the linear-time engine (backreferences and"
                  + " lookaround are not supported): "
                  + ex.getDescription());
        }
      }
    }
    s.minimum = number(n, "minimum", at);
    s.maximum = number(n, "maximum", at);
    JsonNode exMin = n.get("exclusiveMinimum");
    JsonNode exMax = n.get("exclusiveMaximum");
    if (exMin != null && exMin.isBoolean()) {
      if (exMin.booleanValue()) {
        s.exclusiveMinimum = s.minimum;
        s.minimum = null;
      }
    } else {
      s.exclusiveMinimum = number(n, "exclusiveMinimum", at);
    }
    if (exMax != null && exMax.isBoolean()) {
      if (exMax.booleanValue()) {
        s.exclusiveMaximum = s.maximum;
        s.maximum = null;
      }
    } else {
      s.exclusiveMaximum = number(n, "exclusiveMaximum", at);
    }
    s.multipleOf = number(n, "multipleOf", at);
    if (s.multipleOf != null && s.multipleOf.signum() <= 0) {
      errors.add(at + "/multipleOf: expected a number > 0");
      s.multipleOf = null;
    }
    JsonNode items = n.get("items");
    if (items != null) {
      s.items = compile(items, at + "/items", depth + 1);
    }
    s.minItems = count(n, "minItems", at, 0);
    s.maxItems = count(n, "maxItems", at, -1);
    JsonNode u = n.get("uniqueItems");
    s.uniqueItems = u != null && u.asBoolean(false);
    JsonNode props = n.get("properties");
    if (props != null && props.isObject()) {
      Map<String, Schema> m = new LinkedHashMap<>();
      Iterator<Map.Entry<String, JsonNode>> it = props.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> pe = it.next();
        m.put(
            pe.getKey(),
            compile(pe.getValue(), at + "/properties/" + Refs.escape(pe.getKey()), depth + 1));
      }
      // Declaration order: the single pass (BodyValidator) expects members in this order first.
      s.properties = Collections.unmodifiableMap(m);
    }
    JsonNode req = n.get("required");
    if (req != null && req.isArray()) {
      Set<String> r = new LinkedHashSet<>();
      req.forEach(x -> r.add(x.asText()));
      s.required = Set.copyOf(r);
    }
    JsonNode add = n.get("additionalProperties");
    if (add != null) {
      if (add.isBoolean()) {
        s.additionalAllowed = add.booleanValue();
      } else {
        s.additional = compile(add, at + "/additionalProperties", depth + 1);
      }
    }
    s.minProperties = count(n, "minProperties", at, 0);
    s.maxProperties = count(n, "maxProperties", at, -1);
    s.allOf = list(n, "allOf", at, depth);
    s.anyOf = list(n, "anyOf", at, depth);
    s.oneOf = list(n, "oneOf", at, depth);
    JsonNode not = n.get("not");
    if (not != null) {
      s.not = compile(not, at + "/not", depth + 1);
    }
    if (lint) {
      lint(s, n, at);
    }
  }

  private void readType(Schema s, JsonNode n, String at) {
    JsonNode t = n.get("type");
    int types = 0;
    if (t == null) {
      types = Schema.ANY;
    } else if (t.isTextual()) {
      types = typeBit(t.textValue(), at);
    } else if (t.isArray() && v31) {
      for (JsonNode x : t) {
        types |= typeBit(x.asText(), at);
      }
    } else {
      errors.add(at + "/type: expected a type name" + (v31 ? " or a list of them" : ""));
      types = Schema.ANY;
    }
    JsonNode nullable = n.get("nullable");
    if (nullable != null && nullable.asBoolean(false)) {
      types |= Schema.NULL;
    }
    s.types = types;
  }

  private int typeBit(String name, String at) {
    return switch (name) {
      case "null" -> Schema.NULL;
      case "boolean" -> Schema.BOOLEAN;
      case "integer" -> Schema.INTEGER;
      case "number" -> Schema.NUMBER | Schema.INTEGER;
      case "string" -> Schema.STRING;
      case "array" -> Schema.ARRAY;
      case "object" -> Schema.OBJECT;
      default -> {
        errors.add(at + "/type: unknown type \"" + Refs.cut(name) + "\"");
        yield Schema.ANY;
      }
    };
  }

  private Schema[] list(JsonNode n, String key, String at, int depth) {
    JsonNode l = n.get(key);
    if (l == null) {
      return new Schema[0];
    }
    if (!l.isArray() || l.isEmpty()) {
      errors.add(at + "/" + key + ": expected a non-empty list of schemas");
      return new Schema[0];
    }
    Schema[] out = new Schema[l.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = compile(l.get(i), at + "/" + key + "/" + i, depth + 1);
    }
    return out;
  }

  private int count(JsonNode n, String key, String at, int fallback) {
    JsonNode v = n.get(key);
    if (v == null) {
      return fallback;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
      errors.add(at + "/" + key + ": expected an integer >= 0");
      return fallback;
    }
    return v.intValue();
  }

  private java.math.@org.jspecify.annotations.Nullable BigDecimal number(
      JsonNode n, String key, String at) {
    JsonNode v = n.get(key);
    if (v == null) {
      return null;
    }
    if (!v.isNumber()) {
      errors.add(at + "/" + key + ": expected a number");
      return null;
    }
    return v.decimalValue();
  }

  private void lint(Schema s, JsonNode n, String at) {
    boolean constrained = s.enumValues != null;
    int t = s.types;
    if ((t & Schema.STRING) != 0
        && n.has("type")
        && s.maxLength < 0
        && !constrained
        && s.format == null) {
      warnings.add(at + ": string without maxLength");
    }
    if ((t & Schema.ARRAY) != 0 && n.has("type") && s.maxItems < 0) {
      warnings.add(at + ": array without maxItems");
    }
    if ((t & Schema.OBJECT) != 0 && n.has("type") && s.additionalAllowed && !hasComposition(s)) {
      warnings.add(at + ": object open to additional properties (set additionalProperties: false)");
    }
    if ((t & (Schema.NUMBER | Schema.INTEGER)) != 0
        && n.has("type")
        && !constrained
        && ((s.minimum == null && s.exclusiveMinimum == null)
            || (s.maximum == null && s.exclusiveMaximum == null))) {
      warnings.add(at + ": number without minimum and maximum");
    }
  }

  private static boolean hasComposition(Schema s) {
    return s.allOf.length + s.anyOf.length + s.oneOf.length > 0;
  }
}
