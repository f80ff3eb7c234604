package dev.bulwark.policy.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Pattern;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The form of a {@link Schema} that {@link BodyValidator} reads while it scans a body: property
 * names as UTF-8 bytes in a small hash table with an index each (for a bitset of seen and required
 * names), numeric bounds as exact unscaled longs, enum strings as bytes. Built once per contract at
 * config load, then only read. A schema whose check needs the whole value (allOf, anyOf, oneOf,
 * not, uniqueItems, an enum of objects or arrays) or more than 64 property names is marked {@link
 * #unsure}: the tree validator decides every value it meets.
 */
final class FastSchema {
  /** The largest unscaled value kept exact: 18 digits, so that two of them never overflow. */
  static final long MAX_EXACT = 999_999_999_999_999_999L;

  static final long[] POW10 = new long[19];

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** {@code MAX_EXACT / 10^k}: an unscaled value above it overflows 18 digits when scaled by k. */
  private static final long[] SCALABLE = new long[19];

  static {
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) {
      POW10[i] = POW10[i - 1] * 10;
    }
    for (int i = 0; i < POW10.length; i++) {
      SCALABLE[i] = MAX_EXACT / POW10[i];
    }
  }

  /** A decimal from the schema: {@code unscaled * 10^-scale} when it fits, else {@code big}. */
  record Exact(long unscaled, int scale, @Nullable BigDecimal big) {
    static Exact of(BigDecimal d) {
      BigDecimal s = d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
      if (s.unscaledValue().bitLength() < 63
          && Math.abs(s.unscaledValue().longValue()) <= MAX_EXACT) {
        return new Exact(s.unscaledValue().longValue(), s.scale(), null);
      }
      return new Exact(0, 0, d);
    }

    /** Returns the sign of {@code u * 10^-s - this}. */
    int compareFrom(long u, int s) {
      BigDecimal b = big;
      if (b != null) {
        return BigDecimal.valueOf(u, s).compareTo(b);
      }
      return compare(u, s, unscaled, scale);
    }

    /** Returns whether {@code u * 10^-s} is a multiple of this (which is > 0); false if unsure. */
    boolean divides(long u, int s) {
      if (u == 0) {
        return true;
      }
      BigDecimal b = big;
      if (b != null) {
        return BigDecimal.valueOf(u, s).remainder(b).signum() == 0;
      }
      if (s >= scale) {
        int k = s - scale;
        return k <= 18 && unscaled <= SCALABLE[k] && u % (unscaled * POW10[k]) == 0;
      }
      int k = scale - s;
      return k <= 18 && Math.abs(u) <= SCALABLE[k] && (u * POW10[k]) % unscaled == 0;
    }
  }

  /** Returns the sign of {@code u * 10^-s - v * 10^-t}, both unscaled values within 18 digits. */
  static int compare(long u, int s, long v, int t) {
    if (s == t) {
      return Long.compare(u, v);
    }
    if (s > t) {
      int k = s - t;
      if (v == 0) {
        return Long.signum(u);
      }
      if (k > 18 || Math.abs(v) > SCALABLE[k]) {
        return v > 0 ? -1 : 1; // |v * 10^k| is beyond 18 digits, so beyond |u|
      }
      return Long.compare(u, v * POW10[k]);
    }
    int k = t - s;
    if (u == 0) {
      return -Long.signum(v);
    }
    if (k > 18 || Math.abs(u) > SCALABLE[k]) {
      return u > 0 ? 1 : -1;
    }
    return Long.compare(u * POW10[k], v);
  }

  boolean unsure;
  boolean never;

  /** Whether every value here goes to the tree path: {@link #unsure} or {@link #never}. */
  boolean refuse;

  int types = Schema.ANY;

  int minLength;
  int maxLength = -1;
  @Nullable LinearPattern linearPattern;
  @Nullable Pattern pattern;
  @Nullable Format format;

  boolean hasEnum;
  String[] enumStrings = new String[0];
  byte[][] enumUtf8 = new byte[0][];
  Exact[] enumNumbers = new Exact[0];
  boolean enumTrue;
  boolean enumFalse;
  boolean enumNull;

  @Nullable Exact minimum;
  @Nullable Exact maximum;
  @Nullable Exact exclusiveMinimum;
  @Nullable Exact exclusiveMaximum;
  @Nullable Exact multipleOf;

  /** Whether a number's exact value is needed (bounds, multipleOf, enum, int32/int64 format). */
  boolean readsNumbers;

  @Nullable FastSchema items;
  int minItems;
  int maxItems = -1;

  /** Declared and required property names by index (at most 64, declaration order first). */
  Member[] members = new Member[0];

  long requiredMask;
  private int[] table = new int[1];

  /** One declared or required property name, with what its value must be. */
  static final class Member {
    /** The name's UTF-8 length. */
    final int length;

    /**
     * Whether the name may appear: declared or admitted by additionalProperties, not a prototype
     * key.
     */
    final boolean allowed;

    /** The schema of its value (null: any safe JSON). */
    final @Nullable FastSchema schema;

    /** The name, its closing quote and a colon, as a body without whitespace has them. */
    private final byte[] quoted;

    /** Bytes 0-7 and 8-15 of {@link #quoted} as masked little-endian words. */
    private final long head;

    private final long headMask;
    private final long tail;
    private final long tailMask;

    /** Whether raw bytes can match (no quote, backslash or control character in the name). */
    private final boolean raw;

    Member(byte[] utf8, boolean allowed, @Nullable FastSchema schema) {
      this.length = utf8.length;
      this.allowed = allowed;
      this.schema = schema;
      boolean r = true;
      for (byte c : utf8) {
        r &= c != '"' && c != '\\' && (c < 0 || c >= 0x20);
      }
      this.raw = r;
      byte[] q = Arrays.copyOf(utf8, utf8.length + 2);
      q[utf8.length] = '"';
      q[utf8.length + 1] = ':';
      this.quoted = q;
      long[] words = new long[4];
      for (int k = 0; k < Math.min(16, q.length); k++) {
        words[k / 8] |= (q[k] & 0xffL) << (8 * (k % 8));
        words[2 + k / 8] |= 0xffL << (8 * (k % 8));
      }
      this.head = words[0];
      this.tail = words[1];
      this.headMask = words[2];
      this.tailMask = words[3];
    }

    /** Returns whether {@code b[from..]} holds this name, its closing quote and a colon. */
    boolean at(byte[] b, int from) {
      byte[] q = quoted;
      int len = q.length;
      if (!raw || from + len > b.length) {
        return false;
      }
      int k = 0;
      if (from + 16 <= b.length) {
        // Up to sixteen bytes in two masked comparisons (the mask ignores what follows).
        if ((((long) LONGS.get(b, from) ^ head) & headMask) != 0
            || (((long) LONGS.get(b, from + 8) ^ tail) & tailMask) != 0) {
          return false;
        }
        k = 16;
      }
      for (; k < len; k++) {
        if (b[from + k] != q[k]) {
          return false;
        }
      }
      return true;
    }

    boolean named(byte[] b, int from, int len) {
      return len == length && Arrays.equals(b, from, from + len, quoted, 0, len);
    }
  }

  boolean additionalAllowed = true;
  @Nullable FastSchema additional;
  int minProperties;
  int maxProperties = -1;

  private FastSchema() {}

  /** Returns the fast form of a schema, sharing (and so closing cycles) through {@code memo}. */
  static FastSchema of(Schema s, Map<Schema, FastSchema> memo) {
    FastSchema known = memo.get(s);
    if (known != null) {
      return known;
    }
    FastSchema f = new FastSchema();
    memo.put(s, f);
    f.fill(s, memo);
    return f;
  }

  private void fill(Schema s, Map<Schema, FastSchema> memo) {
    unsure = s.allOf.length + s.anyOf.length + s.oneOf.length > 0 || s.not != null || s.uniqueItems;
    never = s.never;
    types = s.types;
    minLength = s.minLength;
    maxLength = s.maxLength;
    linearPattern = s.linearPattern;
    pattern = s.pattern;
    format = s.format;
    List<JsonNode> values = s.enumValues;
    if (values != null) {
      hasEnum = true;
      List<String> strings = new ArrayList<>();
      List<Exact> numbers = new ArrayList<>();
      for (JsonNode e : values) {
        if (e.isTextual()) {
          strings.add(e.textValue());
        } else if (e.isNumber()) {
          numbers.add(Exact.of(e.decimalValue()));
        } else if (e.isBoolean()) {
          enumTrue |= e.booleanValue();
          enumFalse |= !e.booleanValue();
        } else if (e.isNull()) {
          enumNull = true;
        } else {
          unsure = true; // an object or array: equality needs the whole value
        }
      }
      enumStrings = strings.toArray(new String[0]);
      enumUtf8 = new byte[enumStrings.length][];
      for (int i = 0; i < enumStrings.length; i++) {
        enumUtf8[i] = enumStrings[i].getBytes(StandardCharsets.UTF_8);
      }
      enumNumbers = numbers.toArray(new Exact[0]);
    }
    minimum = exact(s.minimum);
    maximum = exact(s.maximum);
    exclusiveMinimum = exact(s.exclusiveMinimum);
    exclusiveMaximum = exact(s.exclusiveMaximum);
    multipleOf = exact(s.multipleOf);
    readsNumbers =
        hasEnum
            || minimum != null
            || maximum != null
            || exclusiveMinimum != null
            || exclusiveMaximum != null
            || multipleOf != null
            || s.format == Format.INT32
            || s.format == Format.INT64;
    Schema it = s.items;
    items = it == null ? null : of(it, memo);
    minItems = s.minItems;
    maxItems = s.maxItems;
    Set<String> all = new LinkedHashSet<>(s.properties.keySet());
    all.addAll(s.required);
    if (all.size() > 64) {
      unsure = true;
      all = Set.of();
    }
    int n = all.size();
    members = new Member[n];
    Schema add = s.additional;
    additional = add == null ? null : of(add, memo);
    additionalAllowed = s.additionalAllowed;
    int size = Integer.highestOneBit(Math.max(4, n) * 4);
    table = new int[size];
    int i = 0;
    for (String name : all) {
      byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
      Schema p = s.properties.get(name);
      boolean allowed =
          (p != null || additionalAllowed) && !BodyValidator.isPrototypeKey(utf8, 0, utf8.length);
      members[i] = new Member(utf8, allowed, p != null ? of(p, memo) : additional);
      if (s.required.contains(name)) {
        requiredMask |= 1L << i;
      }
      int h = hash(utf8, 0, utf8.length) & (size - 1);
      while (table[h] != 0) {
        h = (h + 1) & (size - 1);
      }
      table[h] = i + 1;
      i++;
    }
    minProperties = s.minProperties;
    maxProperties = s.maxProperties;
    refuse = unsure || never;
  }

  private static @Nullable Exact exact(@Nullable BigDecimal d) {
    return d == null ? null : Exact.of(d);
  }

  static int hash(byte[] b, int from, int len) {
    return len == 0 ? 0 : len * 961 + b[from] * 31 + b[from + len - 1];
  }

  /** Returns the index of the name in {@code b[from..from+len)} (raw UTF-8), or -1. */
  int indexOf(byte[] b, int from, int len) {
    int mask = table.length - 1;
    int h = hash(b, from, len) & mask;
    int e;
    while ((e = table[h]) != 0) {
      if (members[e - 1].named(b, from, len)) {
        return e - 1;
      }
      h = (h + 1) & mask;
    }
    return -1;
  }
}
