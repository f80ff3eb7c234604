package dev.bulwark.policy.contract;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Checks a JSON request body against its media type's schema. A single pass over the bytes, with no
 * tree and almost no allocation, accepts a body only when it is certainly safe JSON within the
 * route's limits and valid; anything else (a violation, or input it does not handle: escaped names,
 * surrogate escapes, numbers beyond 18 digits, a schema marked {@link FastSchema#unsure}, ...) goes
 * to the tree path ({@link SafeJson} then {@link Schema#validate}), which decides and words the
 * violations. The single pass is therefore only ever stricter than the tree path, and answers,
 * reasons and pointers are the tree path's by construction.
 */
final class BodyValidator {
  private static final int FAIL = -1;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long LOW_BITS = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long QUOTES = 0x2222222222222222L;
  private static final long BACKSLASHES = 0x5C5C5C5C5C5C5C5CL;
  private static final long SPACES = 0x2020202020202020L;

  /** Undeclared names an object may have before the pass gives up (duplicates are checked). */
  private static final int MAX_UNDECLARED = 16;

  private final SafeJson json;
  private final @Nullable Schema schema;
  private final @Nullable FastSchema fast;
  private final int maxDepth;
  private final int maxMembers;
  private final int maxElements;
  private final int maxString;
  private final int maxNumber;

  /** Compiles the validator of one media type; {@code memo} shares fast schemas between them. */
  BodyValidator(
      JsonLimits limits, SafeJson json, @Nullable Schema schema, Map<Schema, FastSchema> memo) {
    this.json = json;
    this.schema = schema;
    this.fast = schema == null ? null : FastSchema.of(schema, memo);
    this.maxDepth = limits.depth();
    this.maxMembers = limits.members();
    this.maxElements = limits.elements();
    this.maxString = limits.stringLength();
    this.maxNumber = limits.numberLength();
  }

  /** Returns the violations of a non-empty body (none when it is safe and valid). */
  Violations check(byte[] body) {
    Violations v = Violations.collecting();
    if (accepts(body)) {
      return v;
    }
    JsonNode tree;
    try {
      tree = json.parse(body);
    } catch (SafeJson.Unsafe e) {
      v.add("body", "", String.valueOf(e.getMessage()));
      return v;
    }
    Schema s = schema;
    if (s != null) {
      s.validate(tree, Loc.ROOT, "body", v);
    }
    return v;
  }

  /**
   * Returns true only if the body is safe JSON and valid; false means "let the tree path decide".
   */
  boolean accepts(byte[] b) {
    // Strict UTF-8 is checked on the way: outside strings the grammar admits ASCII only (no NUL,
    // no BOM), and every non-ASCII sequence inside a string or name goes through the same check
    // as SafeJson.checkUtf8's.
    int i = value(b, ws(b, 0), fast, 0);
    return i != FAIL && ws(b, i) == b.length;
  }

  private static int ws(byte[] b, int i) {
    return i < b.length && b[i] > ' ' ? i : skipWs(b, i);
  }

  private static int skipWs(byte[] b, int i) {
    byte c;
    while (i < b.length && (c = b[i]) <= ' ' && (c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
      i++;
    }
    return i;
  }

  /**
   * Checks the value starting at {@code b[i]}; returns the index after it, or FAIL. Kept small so
   * that the JIT inlines it into {@link #object} and {@link #array}.
   */
  private int value(byte[] b, int i, @Nullable FastSchema f, int depth) {
    if (i >= b.length) {
      return FAIL;
    }
    int types = Schema.ANY;
    boolean enumerated = false;
    if (f != null) {
      if (f.refuse) {
        return FAIL;
      }
      types = f.types;
      enumerated = f.hasEnum;
    }
    byte c = b[i];
    if (c == '"') {
      return (types & Schema.STRING) == 0 ? FAIL : string(b, i + 1, f);
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      return number(b, i, f);
    }
    if (c == '{') {
      return (types & Schema.OBJECT) == 0 || enumerated ? FAIL : object(b, i, f, depth + 1);
    }
    if (c == '[') {
      return (types & Schema.ARRAY) == 0 || enumerated ? FAIL : array(b, i, f, depth + 1);
    }
    return literal(b, i, f, types);
  }

  /** Checks {@code true}, {@code false} or {@code null} at {@code b[i]}. */
  private static int literal(byte[] b, int i, @Nullable FastSchema f, int types) {
    switch (b[i]) {
      case 't' -> {
        boolean ok = (types & Schema.BOOLEAN) != 0 && (f == null || !f.hasEnum || f.enumTrue);
        return ok ? word(b, i, "true") : FAIL;
      }
      case 'f' -> {
        boolean ok = (types & Schema.BOOLEAN) != 0 && (f == null || !f.hasEnum || f.enumFalse);
        return ok ? word(b, i, "false") : FAIL;
      }
      case 'n' -> {
        boolean ok = (types & Schema.NULL) != 0 && (f == null || !f.hasEnum || f.enumNull);
        return ok ? word(b, i, "null") : FAIL;
      }
      default -> {
        return FAIL;
      }
    }
  }

  private static int word(byte[] b, int i, String word) {
    int n = word.length();
    if (i + n > b.length) {
      return FAIL;
    }
    for (int k = 0; k < n; k++) {
      if (b[i + k] != word.charAt(k)) {
        return FAIL;
      }
    }
    return i + n;
  }

  private int object(byte[] b, int i, @Nullable FastSchema f, int depth) {
    if (depth > maxDepth) {
      return FAIL;
    }
    int n = b.length;
    i = ws(b, i + 1);
    if (i < n && b[i] == '}') {
      return objectEnd(f, 0, 0L) ? i + 1 : FAIL;
    }
    long seen = 0;
    int members = 0;
    int expect = 0;
    int[] undeclared = null;
    int undeclaredCount = 0;
    while (true) {
      if (i >= n || b[i] != '"') {
        return FAIL;
      }
      int start = i + 1;
      if (++members > maxMembers) {
        return FAIL;
      }
      int idx;
      int next; // the index after the colon that follows the name
      int len;
      FastSchema.Member m;
      // Bodies usually list members in the schema's order: try the name after the last one first
      // (name, quote and colon compared as raw bytes).
      if (f != null && expect < f.members.length && (m = f.members[expect]).at(b, start)) {
        idx = expect;
        len = m.length;
        next = start + m.length + 2;
      } else {
        int end = nameEnd(b, start);
        if (end == FAIL) {
          return FAIL;
        }
        len = end - start;
        idx = f == null ? -1 : f.indexOf(b, start, len);
        next = ws(b, end + 1);
        if (next >= n || b[next] != ':') {
          return FAIL;
        }
        next++;
      }
      if (len > maxString) {
        return FAIL;
      }
      FastSchema child;
      if (f != null && idx >= 0) {
        m = f.members[idx];
        long bit = 1L << idx;
        if ((seen & bit) != 0 || !m.allowed) {
          return FAIL;
        }
        seen |= bit;
        expect = idx + 1;
        child = m.schema;
      } else {
        if ((f != null && !f.additionalAllowed) || isPrototypeKey(b, start, len)) {
          return FAIL;
        }
        if (undeclared == null) {
          undeclared = new int[2 * MAX_UNDECLARED];
        }
        for (int k = 0; k < undeclaredCount; k++) {
          int s = undeclared[2 * k];
          if (undeclared[2 * k + 1] == len && Arrays.equals(b, s, s + len, b, start, start + len)) {
            return FAIL; // a duplicate key
          }
        }
        if (undeclaredCount == MAX_UNDECLARED) {
          return FAIL;
        }
        undeclared[2 * undeclaredCount] = start;
        undeclared[2 * undeclaredCount + 1] = len;
        undeclaredCount++;
        child = f == null ? null : f.additional;
      }
      i = value(b, ws(b, next), child, depth);
      if (i == FAIL) {
        return FAIL;
      }
      i = ws(b, i);
      if (i >= n) {
        return FAIL;
      }
      if (b[i] == '}') {
        return objectEnd(f, members, seen) ? i + 1 : FAIL;
      }
      if (b[i] != ',') {
        return FAIL;
      }
      i = ws(b, i + 1);
    }
  }

  private static boolean objectEnd(@Nullable FastSchema f, int members, long seen) {
    return f == null
        || (members >= f.minProperties
            && (f.maxProperties < 0 || members <= f.maxProperties)
            && (seen & f.requiredMask) == f.requiredMask);
  }

  /** Returns the index of the quote closing a name without escapes, or FAIL. */
  private int nameEnd(byte[] b, int i) {
    int start = i;
    int n = b.length;
    while (true) {
      i = skipPlain(b, i);
      if (i >= n || i - start > maxString) {
        return FAIL;
      }
      byte c = b[i];
      if (c == '"') {
        return i;
      }
      if (c < 0) {
        i = SafeJson.sequenceEnd(b, i);
        if (i < 0) {
          return FAIL;
        }
        continue;
      }
      if (c == '\\' || c < 0x20) {
        return FAIL; // escaped names are compared decoded: the tree path does it
      }
      i++;
    }
  }

  static boolean isPrototypeKey(byte[] b, int i, int len) {
    return (len == 9 && (matches(b, i, "__proto__") || matches(b, i, "prototype")))
        || (len == 11 && matches(b, i, "constructor"));
  }

  private static boolean matches(byte[] b, int i, String ascii) {
    for (int k = 0; k < ascii.length(); k++) {
      if (b[i + k] != ascii.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  private int array(byte[] b, int i, @Nullable FastSchema f, int depth) {
    if (depth > maxDepth) {
      return FAIL;
    }
    int n = b.length;
    FastSchema item = f == null ? null : f.items;
    i = ws(b, i + 1);
    int count = 0;
    if (i < n && b[i] == ']') {
      i++;
    } else {
      while (true) {
        if (++count > maxElements) {
          return FAIL;
        }
        i = value(b, i, item, depth);
        if (i == FAIL) {
          return FAIL;
        }
        i = ws(b, i);
        if (i >= n) {
          return FAIL;
        }
        if (b[i] == ']') {
          i++;
          break;
        }
        if (b[i] != ',') {
          return FAIL;
        }
        i = ws(b, i + 1);
      }
    }
    if (f != null && (count < f.minItems || (f.maxItems >= 0 && count > f.maxItems))) {
      return FAIL;
    }
    return i;
  }

  /** Checks the string whose content starts at {@code b[start]}; returns the index after it. */
  private int string(byte[] b, int start, @Nullable FastSchema f) {
    int n = b.length;
    int i = start;
    boolean escaped = false;
    boolean ascii = true;
    while (true) {
      i = skipPlain(b, i);
      if (i >= n) {
        return FAIL;
      }
      byte c = b[i];
      if (c == '"') {
        break;
      }
      if (c == '\\') {
        i = escapeEnd(b, i);
        if (i == FAIL) {
          return FAIL;
        }
        escaped = true;
        continue;
      }
      if (c < 0) {
        i = SafeJson.sequenceEnd(b, i);
        if (i < 0) {
          return FAIL;
        }
        ascii = false;
        continue;
      }
      if (c < 0x20) {
        return FAIL; // control characters must be escaped
      }
      i++;
    }
    // Escapes and multi-byte characters decode to no more characters than bytes.
    if (i - start > maxString) {
      return FAIL;
    }
    if (f != null && !stringValid(b, start, i, escaped, ascii, f)) {
      return FAIL;
    }
    return i + 1;
  }

  /**
   * Returns the index of the first byte from {@code i} that is a quote, a backslash, a control
   * character or not ASCII (eight bytes at a time), or an index near the end from which the caller
   * reads byte by byte.
   */
  private static int skipPlain(byte[] b, int i) {
    int n = b.length;
    while (i + 8 <= n) {
      long w = (long) LONGS.get(b, i);
      long q = w ^ QUOTES;
      long e = w ^ BACKSLASHES;
      // The lowest flagged byte of each term is exact (a borrow only runs upwards from it).
      long stops = (((q - LOW_BITS) & ~q) | ((e - LOW_BITS) & ~e) | ((w - SPACES) & ~w) | w);
      stops &= HIGH_BITS;
      if (stops != 0) {
        return i + (Long.numberOfTrailingZeros(stops) >>> 3);
      }
      i += 8;
    }
    return i;
  }

  /** Returns the index after the escape at {@code b[i]}, or FAIL (also for surrogate escapes). */
  private static int escapeEnd(byte[] b, int i) {
    if (i + 1 >= b.length) {
      return FAIL;
    }
    switch (b[i + 1]) {
      case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
        return i + 2;
      }
      case 'u' -> {
        if (i + 6 > b.length) {
          return FAIL;
        }
        int cp = 0;
        for (int k = i + 2; k < i + 6; k++) {
          int d = Character.digit(b[k], 16);
          if (d < 0 || b[k] < 0) {
            return FAIL;
          }
          cp = cp * 16 + d;
        }
        // Surrogates (paired or not) are checked by the tree path.
        return cp >= 0xD800 && cp <= 0xDFFF ? FAIL : i + 6;
      }
      default -> {
        return FAIL;
      }
    }
  }

  private static boolean stringValid(
      byte[] b, int start, int end, boolean escaped, boolean ascii, FastSchema f) {
    String text = null;
    if (f.minLength > 0 || f.maxLength >= 0) {
      int len;
      if (escaped) {
        text = decode(b, start, end);
        len = text.codePointCount(0, text.length());
      } else if (ascii) {
        len = end - start;
      } else {
        len = 0;
        for (int i = start; i < end; i++) {
          len += (b[i] & 0xC0) != 0x80 ? 1 : 0;
        }
      }
      if (len < f.minLength || (f.maxLength >= 0 && len > f.maxLength)) {
        return false;
      }
    }
    if (f.hasEnum) {
      boolean found = false;
      if (escaped) {
        text = text != null ? text : decode(b, start, end);
        for (String e : f.enumStrings) {
          found |= e.equals(text);
        }
      } else {
        for (byte[] e : f.enumUtf8) {
          found |= Arrays.equals(b, start, end, e, 0, e.length);
        }
      }
      if (!found) {
        return false;
      }
    }
    LinearPattern lp = f.linearPattern;
    if (lp != null) {
      if (escaped) {
        text = text != null ? text : decode(b, start, end);
        if (!lp.find(text)) {
          return false;
        }
      } else if (!lp.findUtf8(b, start, end)) {
        return false;
      }
    } else {
      com.google.re2j.Pattern p = f.pattern;
      if (p != null) {
        text = text != null ? text : decode(b, start, end);
        if (!p.matcher(text).find()) {
          return false;
        }
      }
    }
    Format format = f.format;
    if (format != null) {
      text = text != null ? text : decode(b, start, end);
      return format.acceptsString(text);
    }
    return true;
  }

  /** Decodes string content already checked by {@link #string} (no surrogate escapes). */
  static String decode(byte[] b, int start, int end) {
    int i = start;
    StringBuilder sb = null;
    int run = start;
    while (i < end) {
      if (b[i] != '\\') {
        i++;
        continue;
      }
      if (sb == null) {
        sb = new StringBuilder(end - start);
      }
      sb.append(new String(b, run, i - run, StandardCharsets.UTF_8));
      byte e = b[i + 1];
      char c;
      int next = i + 2;
      switch (e) {
        case 'b' -> c = '\b';
        case 'f' -> c = '\f';
        case 'n' -> c = '\n';
        case 'r' -> c = '\r';
        case 't' -> c = '\t';
        case 'u' -> {
          c = (char) Integer.parseInt(new String(b, i + 2, 4, StandardCharsets.US_ASCII), 16);
          next = i + 6;
        }
        default -> c = (char) e;
      }
      sb.append(c);
      i = next;
      run = i;
    }
    if (sb == null) {
      return new String(b, start, end - start, StandardCharsets.UTF_8);
    }
    return sb.append(new String(b, run, end - run, StandardCharsets.UTF_8)).toString();
  }

  /**
   * Checks the number starting at {@code b[i]} (RFC 8259 grammar, as Jackson reads it); returns the
   * index after it, or FAIL.
   */
  private int number(byte[] b, int i, @Nullable FastSchema f) {
    int n = b.length;
    int start = i;
    boolean negative = b[i] == '-';
    if (negative) {
      i++;
    }
    if (i >= n) {
      return FAIL;
    }
    long unscaled = 0;
    int digits = 0; // significant digits: leading zeros do not count
    if (b[i] == '0') {
      i++;
      if (i < n && isDigit(b[i])) {
        return FAIL;
      }
    } else if (isDigit(b[i])) {
      while (i < n && isDigit(b[i])) {
        if (digits < 18) {
          unscaled = unscaled * 10 + (b[i] - '0');
        }
        digits++;
        i++;
      }
    } else {
      return FAIL;
    }
    boolean isFloat = false;
    int fraction = 0;
    if (i < n && b[i] == '.') {
      isFloat = true;
      i++;
      while (i < n && isDigit(b[i])) {
        int d = b[i] - '0';
        if (digits > 0 || d != 0) {
          if (digits < 18) {
            unscaled = unscaled * 10 + d;
          }
          digits++;
        }
        fraction++;
        i++;
      }
      if (fraction == 0) {
        return FAIL;
      }
    }
    int exponent = 0;
    if (i < n && (b[i] == 'e' || b[i] == 'E')) {
      isFloat = true;
      i++;
      boolean negativeExponent = false;
      if (i < n && (b[i] == '+' || b[i] == '-')) {
        negativeExponent = b[i] == '-';
        i++;
      }
      int expStart = i;
      while (i < n && isDigit(b[i]) && i - expStart < 6) {
        exponent = exponent * 10 + (b[i] - '0');
        i++;
      }
      if (i == expStart || (i < n && isDigit(b[i]))) {
        return FAIL; // no exponent digits, or more than six: the tree path decides
      }
      exponent = negativeExponent ? -exponent : exponent;
    }
    if (i - start > maxNumber) {
      return FAIL;
    }
    int scale = isFloat ? fraction - exponent : 0;
    // The tree path refuses a |scale| above 400 and a double that overflows: stay well inside.
    if (isFloat && (Math.abs(scale) > 400 || digits - scale > 300)) {
      return FAIL;
    }
    if (f == null) {
      return i;
    }
    boolean exact = digits <= 18;
    long u = negative ? -unscaled : unscaled;
    int types = f.types;
    if ((types & Schema.NUMBER) == 0) {
      if ((types & Schema.INTEGER) == 0 || (isFloat && !(exact && isIntegral(u, scale)))) {
        return FAIL;
      }
    }
    if (f.readsNumbers && !(exact && numberValid(u, scale, f))) {
      return FAIL;
    }
    return i;
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isIntegral(long u, int scale) {
    return u == 0 || scale <= 0 || (scale <= 18 && u % FastSchema.POW10[scale] == 0);
  }

  private static boolean numberValid(long u, int s, FastSchema f) {
    FastSchema.Exact e = f.minimum;
    if (e != null && e.compareFrom(u, s) < 0) {
      return false;
    }
    e = f.maximum;
    if (e != null && e.compareFrom(u, s) > 0) {
      return false;
    }
    e = f.exclusiveMinimum;
    if (e != null && e.compareFrom(u, s) <= 0) {
      return false;
    }
    e = f.exclusiveMaximum;
    if (e != null && e.compareFrom(u, s) >= 0) {
      return false;
    }
    e = f.multipleOf;
    if (e != null && !e.divides(u, s)) {
      return false;
    }
    if (f.hasEnum) {
      boolean found = false;
      for (FastSchema.Exact x : f.enumNumbers) {
        found |= x.compareFrom(u, s) == 0;
      }
      if (!found) {
        return false;
      }
    }
    Format format = f.format;
    if (format == Format.INT32 || format == Format.INT64) {
      return format.acceptsNumber(java.math.BigDecimal.valueOf(u, s));
    }
    return true;
  }
}
