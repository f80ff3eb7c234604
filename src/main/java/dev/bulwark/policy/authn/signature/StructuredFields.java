package dev.bulwark.policy.authn.signature;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A strict parser and serializer of the Structured Field values (RFC 8941) that signatures use:
 * dictionaries of items or inner lists, with parameters. Stricter than the RFC where being lenient
 * could let two readers disagree: a repeated dictionary key or parameter is refused instead of the
 * last one winning. Bounded: the caller gives the largest input and member count it accepts.
 */
public final class StructuredFields {
  private StructuredFields() {}

  /** A value that is not a well-formed Structured Field (the message says where). */
  public static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    private final String message;

    Malformed(String message) {
      super(message, null, false, false);
      this.message = message;
    }

    /** Returns the one-line reason (never null). */
    @Override
    public String getMessage() {
      return message;
    }
  }

  /** An sf-token (serialized bare, unlike a string). */
  public record Token(String value) {}

  /** An item: a bare value ({@link Long}, {@link BigDecimal}, String, Token, byte[], Boolean). */
  public record Item(Object value, Map<String, Object> params) {
    public Item {
      params = unmodifiable(params);
    }
  }

  /** An inner list of items, with its own parameters. */
  public record InnerList(List<Item> items, Map<String, Object> params) {
    public InnerList {
      items = List.copyOf(items);
      params = unmodifiable(params);
    }
  }

  private static Map<String, Object> unmodifiable(Map<String, Object> m) {
    return m.isEmpty() ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }

  /**
   * Parses a dictionary whose members are {@link Item}s or {@link InnerList}s, in order.
   *
   * @throws Malformed when the text is not a dictionary, is longer than {@code maxChars}, or has
   *     more than {@code maxMembers} members
   */
  public static Map<String, Object> dictionary(String text, int maxChars, int maxMembers)
      throws Malformed {
    if (text.length() > maxChars) {
      throw new Malformed(text.length() + " characters (expected: at most " + maxChars + ")");
    }
    Parser p = new Parser(text);
    Map<String, Object> out = new LinkedHashMap<>();
    p.skipSp();
    if (p.end()) {
      throw new Malformed("empty dictionary");
    }
    while (true) {
      String key = p.key();
      Object value;
      if (p.peek() == '=') {
        p.pos++;
        value = p.peek() == '(' ? p.innerList() : p.item();
      } else {
        value = new Item(Boolean.TRUE, p.params());
      }
      if (out.put(key, value) != null) {
        throw new Malformed("member " + key + " given twice");
      }
      if (out.size() > maxMembers) {
        throw new Malformed("more than " + maxMembers + " members");
      }
      p.skipOws();
      if (p.end()) {
        return out;
      }
      p.expect(',');
      p.skipOws();
      if (p.end()) {
        throw new Malformed("trailing comma");
      }
    }
  }

  /** Parses one item with its parameters (a component identifier such as {@code "x";sf}). */
  public static Item item(String text) throws Malformed {
    Parser p = new Parser(text);
    Item i = p.item();
    if (!p.end()) {
      throw new Malformed("text after the item at " + p.pos);
    }
    return i;
  }

  /** Serializes an inner list with its parameters, as {@code @signature-params} needs. */
  public static String serialize(InnerList list) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < list.items().size(); i++) {
      if (i > 0) {
        sb.append(' ');
      }
      serialize(sb, list.items().get(i));
    }
    sb.append(')');
    params(sb, list.params());
    return sb.toString();
  }

  /** Serializes an item with its parameters. */
  public static String serialize(Item item) {
    StringBuilder sb = new StringBuilder();
    serialize(sb, item);
    return sb.toString();
  }

  private static void serialize(StringBuilder sb, Item item) {
    bare(sb, item.value());
    params(sb, item.params());
  }

  private static void params(StringBuilder sb, Map<String, Object> params) {
    for (Map.Entry<String, Object> e : params.entrySet()) {
      sb.append(';').append(e.getKey());
      if (!Boolean.TRUE.equals(e.getValue())) {
        sb.append('=');
        bare(sb, e.getValue());
      }
    }
  }

  private static void bare(StringBuilder sb, Object v) {
    if (v instanceof Long l) {
      sb.append(l.longValue());
    } else if (v instanceof BigDecimal d) {
      String s = d.stripTrailingZeros().toPlainString();
      sb.append(s.contains(".") ? s : s + ".0");
    } else if (v instanceof String s) {
      sb.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\') {
          sb.append('\\');
        }
        sb.append(c);
      }
      sb.append('"');
    } else if (v instanceof Token t) {
      sb.append(t.value());
    } else if (v instanceof byte[] b) {
      sb.append(':').append(Base64.getEncoder().encodeToString(b)).append(':');
    } else if (v instanceof Boolean b) {
      sb.append(b ? "?1" : "?0");
    } else {
      throw new IllegalArgumentException("not a structured field value: " + v.getClass());
    }
  }

  /** Returns whether a string can be serialized as an sf-string (printable ASCII only). */
  public static boolean printable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  /** A cursor over the text being parsed (the signature headers' reader walks it too). */
  static final class Parser {
    final String s;
    int pos;
    private final List<String> known;

    Parser(String s) {
      this(s, List.of());
    }

    /**
     * A cursor that returns a key or plain string equal to one of {@code known} as that constant
     * instead of a copy (the parameter and component names every signed request repeats).
     */
    Parser(String s, List<String> known) {
      this.s = s;
      this.known = known;
    }

    private String text(int start, int end) {
      int length = end - start;
      for (int i = 0; i < known.size(); i++) {
        String k = known.get(i);
        if (k.length() == length
            && length > 0
            && k.charAt(0) == s.charAt(start)
            && s.regionMatches(start, k, 0, length)) {
          return k;
        }
      }
      return s.substring(start, end);
    }

    boolean end() {
      return pos >= s.length();
    }

    char peek() {
      return end() ? '\0' : s.charAt(pos);
    }

    void expect(char c) throws Malformed {
      if (peek() != c) {
        throw new Malformed("expected '" + c + "' at " + pos);
      }
      pos++;
    }

    void skipSp() {
      while (peek() == ' ') {
        pos++;
      }
    }

    void skipOws() {
      while (peek() == ' ' || peek() == '\t') {
        pos++;
      }
    }

    String key() throws Malformed {
      char c = peek();
      if (!(c >= 'a' && c <= 'z') && c != '*') {
        throw new Malformed("expected a lower-case key at " + pos);
      }
      int start = pos++;
      while (!end()) {
        c = peek();
        if ((c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9')
            || c == '_'
            || c == '-'
            || c == '.'
            || c == '*') {
          pos++;
        } else {
          break;
        }
      }
      return text(start, pos);
    }

    InnerList innerList() throws Malformed {
      expect('(');
      List<Item> items = new ArrayList<>();
      while (true) {
        skipSp();
        if (peek() == ')') {
          pos++;
          return new InnerList(items, params());
        }
        items.add(item());
        char c = peek();
        if (c != ' ' && c != ')') {
          throw new Malformed("expected ' ' or ')' in an inner list at " + pos);
        }
      }
    }

    Item item() throws Malformed {
      Object v = bareItem();
      return new Item(v, params());
    }

    Map<String, Object> params() throws Malformed {
      if (peek() != ';') {
        return Map.of();
      }
      Map<String, Object> out = new LinkedHashMap<>();
      while (peek() == ';') {
        pos++;
        skipSp();
        String key = key();
        Object v = Boolean.TRUE;
        if (peek() == '=') {
          pos++;
          v = bareItem();
        }
        if (out.put(key, v) != null) {
          throw new Malformed("parameter " + key + " given twice");
        }
      }
      return out;
    }

    Object bareItem() throws Malformed {
      char c = peek();
      if (c == '-' || (c >= '0' && c <= '9')) {
        return number();
      }
      if (c == '"') {
        return string();
      }
      if (c == ':') {
        return bytes();
      }
      if (c == '?') {
        pos++;
        char b = peek();
        if (b != '0' && b != '1') {
          throw new Malformed("expected ?0 or ?1 at " + pos);
        }
        pos++;
        return b == '1';
      }
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '*') {
        return token();
      }
      throw new Malformed("unexpected character at " + pos);
    }

    Object number() throws Malformed {
      int start = pos;
      boolean negative = peek() == '-';
      if (negative) {
        pos++;
      }
      int digits = 0;
      int dot = -1;
      while (!end()) {
        char c = peek();
        if (c >= '0' && c <= '9') {
          digits++;
          pos++;
        } else if (c == '.' && dot < 0) {
          if (digits > 12) {
            throw new Malformed("decimal too long at " + start);
          }
          dot = pos++;
        } else {
          break;
        }
        if ((dot < 0 && digits > 15) || (dot >= 0 && pos - dot - 1 > 3)) {
          throw new Malformed("number too long at " + start);
        }
      }
      if (digits == 0 || (dot >= 0 && pos - dot - 1 == 0)) {
        throw new Malformed("malformed number at " + start);
      }
      return dot < 0
          ? (Object) Long.parseLong(s, start, pos, 10)
          : new BigDecimal(s.substring(start, pos));
    }

    String string() throws Malformed {
      expect('"');
      int start = pos;
      for (int i = start; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"') {
          pos = i + 1;
          return text(start, i);
        }
        if (c == '\\' || c < 0x20 || c > 0x7e) {
          break;
        }
      }
      StringBuilder sb = new StringBuilder();
      while (!end()) {
        char c = s.charAt(pos++);
        if (c == '\\') {
          char n = peek();
          if (n != '"' && n != '\\') {
            throw new Malformed("bad escape in a string at " + pos);
          }
          sb.append(n);
          pos++;
        } else if (c == '"') {
          return sb.toString();
        } else if (c < 0x20 || c > 0x7e) {
          throw new Malformed("control or non-ASCII character in a string at " + pos);
        } else {
          sb.append(c);
        }
      }
      throw new Malformed("unterminated string");
    }

    Token token() {
      int start = pos++;
      while (!end() && tchar(peek())) {
        pos++;
      }
      return new Token(s.substring(start, pos));
    }

    byte[] bytes() throws Malformed {
      expect(':');
      int start = pos;
      int close = s.indexOf(':', pos);
      if (close < 0) {
        throw new Malformed("unterminated byte sequence");
      }
      byte[] ascii = new byte[close - start];
      for (int i = start; i < close; i++) {
        char c = s.charAt(i);
        if (!((c >= 'A' && c <= 'Z')
            || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9')
            || c == '+'
            || c == '/'
            || c == '=')) {
          throw new Malformed("not base64 in a byte sequence at " + i);
        }
        ascii[i - start] = (byte) c;
      }
      pos = close + 1;
      try {
        return Base64.getDecoder().decode(ascii);
      } catch (IllegalArgumentException e) {
        throw new Malformed("malformed base64 in a byte sequence at " + start);
      }
    }

    private static boolean tchar(char c) {
      return (c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~:/".indexOf(c) >= 0;
    }
  }

  /** Returns the parameter as a long, or null when absent. */
  static @Nullable Long longParam(Map<String, Object> params, String name) throws Malformed {
    Object v = params.get(name);
    if (v == null) {
      return null;
    }
    if (v instanceof Long l) {
      return l;
    }
    throw new Malformed("parameter " + name + " is not an integer");
  }

  /** Returns the parameter as a string, or null when absent. */
  static @Nullable String stringParam(Map<String, Object> params, String name) throws Malformed {
    Object v = params.get(name);
    if (v == null) {
      return null;
    }
    if (v instanceof String str) {
      return str;
    }
    throw new Malformed("parameter " + name + " is not a string");
  }
}
