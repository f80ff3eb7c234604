package dev.bulwark.policy.contract;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;

/**
 * Parses a request or response body into a tree only if it is safe JSON: strict UTF-8 (no BOM, no
 * NUL, no overlong forms, no encoded surrogates), no lone surrogate escapes, no duplicate or
 * prototype-polluting keys, finite numbers, and within the route's {@link JsonLimits}. The parser
 * reads a bounded buffer with Jackson's stream constraints set to the limits, so what it allocates
 * is bounded by them.
 */
final class SafeJson {
  /** Why a body is not safe JSON (a fixed text, never the input). */
  static final class Unsafe extends Exception {
    private static final long serialVersionUID = 1L;

    Unsafe(String reason) {
      super(reason, null, false, false);
    }
  }

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long LOW_BITS = 0x0101010101010101L;

  private final JsonLimits limits;
  private final JsonFactory factory;

  SafeJson(JsonLimits limits) {
    this.limits = limits;
    this.factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(limits.depth())
                    .maxNumberLength(limits.numberLength())
                    .maxStringLength(limits.stringLength())
                    .maxNameLength(limits.stringLength())
                    .build())
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .build();
  }

  /** Parses {@code bytes}; throws {@link Unsafe} with a fixed reason when they are refused. */
  JsonNode parse(byte[] bytes) throws Unsafe {
    checkUtf8(bytes);
    try (JsonParser p = factory.createParser(bytes)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new Unsafe("empty body");
      }
      JsonNode root = value(p, t, 1);
      if (p.nextToken() != null) {
        throw new Unsafe("content after the JSON value");
      }
      return root;
    } catch (StreamConstraintsException e) {
      throw new Unsafe("JSON exceeds a safety limit (depth, string or number length)");
    } catch (IOException e) {
      throw new Unsafe("malformed JSON");
    }
  }

  private JsonNode value(JsonParser p, JsonToken t, int depth) throws IOException, Unsafe {
    JsonNodeFactory f = JsonNodeFactory.instance;
    switch (t) {
      case START_OBJECT -> {
        if (depth > limits.depth()) {
          throw new Unsafe("JSON nested deeper than " + limits.depth());
        }
        ObjectNode o = f.objectNode();
        int n = 0;
        JsonToken k;
        while ((k = p.nextToken()) == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          if (name == null) {
            throw new Unsafe("malformed JSON");
          }
          if (++n > limits.members()) {
            throw new Unsafe("object with more than " + limits.members() + " members");
          }
          checkText(name);
          if (isPrototypeKey(name)) {
            throw new Unsafe("forbidden key (__proto__, constructor or prototype)");
          }
          JsonToken vt = p.nextToken();
          if (vt == null) {
            throw new Unsafe("malformed JSON");
          }
          JsonNode v = value(p, vt, depth + 1);
          if (o.putIfAbsent(name, v) != null) {
            throw new Unsafe("duplicate key");
          }
        }
        if (k != JsonToken.END_OBJECT) {
          throw new Unsafe("malformed JSON");
        }
        return o;
      }
      case START_ARRAY -> {
        if (depth > limits.depth()) {
          throw new Unsafe("JSON nested deeper than " + limits.depth());
        }
        ArrayNode a = f.arrayNode();
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
          if (e == null) {
            throw new Unsafe("malformed JSON");
          }
          if (a.size() >= limits.elements()) {
            throw new Unsafe("array with more than " + limits.elements() + " elements");
          }
          a.add(value(p, e, depth + 1));
        }
        return a;
      }
      case VALUE_STRING -> {
        if (p.getTextLength() > limits.stringLength()) {
          throw new Unsafe("string longer than " + limits.stringLength());
        }
        String s = p.getText();
        checkText(s);
        return f.textNode(s);
      }
      case VALUE_NUMBER_INT -> {
        if (p.getTextLength() > limits.numberLength()) {
          throw new Unsafe("number longer than " + limits.numberLength() + " characters");
        }
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          BigInteger b = p.getBigIntegerValue();
          return f.numberNode(b);
        }
        return f.numberNode(p.getLongValue());
      }
      case VALUE_NUMBER_FLOAT -> {
        if (p.getTextLength() > limits.numberLength()) {
          throw new Unsafe("number longer than " + limits.numberLength() + " characters");
        }
        double d = p.getDoubleValue();
        if (Double.isInfinite(d) || Double.isNaN(d)) {
          throw new Unsafe("number out of range");
        }
        java.math.BigDecimal b = p.getDecimalValue();
        if (Math.abs(b.scale()) > 400) {
          throw new Unsafe("number out of range");
        }
        return f.numberNode(b);
      }
      case VALUE_TRUE -> {
        return f.booleanNode(true);
      }
      case VALUE_FALSE -> {
        return f.booleanNode(false);
      }
      case VALUE_NULL -> {
        return f.nullNode();
      }
      default -> throw new Unsafe("malformed JSON");
    }
  }

  private static boolean isPrototypeKey(String name) {
    return switch (name) {
      case "__proto__", "constructor", "prototype" -> true;
      default -> false;
    };
  }

  /** Refuses unpaired UTF-16 surrogates (they arrive as {@code \\ud800} escapes). */
  private static void checkText(String s) throws Unsafe {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          throw new Unsafe("lone surrogate in a string");
        }
      }
    }
  }

  /**
   * Checks strict UTF-8 (RFC 3629): no BOM, no NUL (which also rules out UTF-16 and UTF-32), no
   * overlong forms, no encoded surrogates, nothing above U+10FFFF, nothing truncated.
   */
  static void checkUtf8(byte[] b) throws Unsafe {
    int n = b.length;
    if (n >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF) {
      throw new Unsafe("byte order mark");
    }
    int i = 0;
    while (i < n) {
      // Eight ASCII bytes at a time; a word with a high bit or a NUL goes through the byte loop.
      while (i + 8 <= n) {
        long w = (long) LONGS.get(b, i);
        if ((w & HIGH_BITS) != 0 || ((w - LOW_BITS) & ~w & HIGH_BITS) != 0) {
          break;
        }
        i += 8;
      }
      if (i >= n) {
        break;
      }
      int c = b[i] & 0xff;
      if (c < 0x80) {
        if (c == 0) {
          throw new Unsafe("NUL byte (not UTF-8 JSON)");
        }
        i++;
        continue;
      }
      i = sequenceEnd(b, i);
      if (i < 0) {
        throw new Unsafe("invalid UTF-8");
      }
    }
  }

  /**
   * Returns the index after the multi-byte UTF-8 sequence that starts at {@code b[i]} (a byte at or
   * above 0x80), or -1 when it is not strict UTF-8: overlong, a surrogate, above U+10FFFF, or cut.
   */
  static int sequenceEnd(byte[] b, int i) {
    int c = b[i] & 0xff;
    int need;
    int min;
    if (c >= 0xC2 && c <= 0xDF) {
      need = 1;
      min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      need = 2;
      min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      need = 3;
      min = 0x10000;
    } else {
      return -1;
    }
    if (i + need >= b.length) {
      return -1;
    }
    int cp = c & (0x3F >> need);
    for (int j = 1; j <= need; j++) {
      int d = b[i + j] & 0xff;
      if ((d & 0xC0) != 0x80) {
        return -1;
      }
      cp = (cp << 6) | (d & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return -1;
    }
    return i + need + 1;
  }
}
