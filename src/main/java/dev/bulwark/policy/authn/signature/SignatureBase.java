package dev.bulwark.policy.authn.signature;

import dev.bulwark.policy.authn.signature.StructuredFields.InnerList;
import dev.bulwark.policy.authn.signature.StructuredFields.Item;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the signature base of a request (RFC 9421 section 2.5): one line per covered component,
 * {@code "name": value}, in the order covered, then the {@code @signature-params} line. The derived
 * components supported are {@code @method}, {@code @target-uri}, {@code @authority}, {@code
 * @scheme}, {@code @request-target}, {@code @path} and {@code @query}; any lower-case header field
 * may be covered (its lines joined with {@code ", "}, each trimmed). Component parameters ({@code
 * ;sf}, {@code ;key}, {@code ;bs}, {@code ;req}, {@code ;name}) are not supported and refused.
 */
public final class SignatureBase {
  /** The derived components this gateway computes. */
  public static final List<String> DERIVED =
      List.of(
          "@method", "@target-uri", "@authority", "@scheme", "@request-target", "@path", "@query");

  /** Characters of a header field name besides lower-case letters and digits (RFC 9110 tchar). */
  private static final String NAME_SYMBOLS = "!#$%&'*+.^_`|~-";

  /** The longest header field name accepted as a covered component. */
  private static final int MAX_NAME_CHARS = 64;

  /** Each thread's base under construction: a signature is verified on the thread that built it. */
  private static final ThreadLocal<Bytes> BUFFERS = ThreadLocal.withInitial(Bytes::new);

  private SignatureBase() {}

  /** A covered component that cannot be part of a base: why, in a few words. */
  public static final class Unusable extends Exception {
    private static final long serialVersionUID = 1L;

    private final String message;

    Unusable(String message) {
      super(message, null, false, false);
      this.message = message;
    }

    /** Returns the one-line reason (never null). */
    @Override
    public String getMessage() {
      return message;
    }
  }

  /**
   * A signature base built into one thread's reusable bytes (valid until that thread builds the
   * next): a request's base is written once, as bytes, and never copied. A buffer grown past {@link
   * #MAX_KEPT} by a large header is dropped at the next build, so each thread keeps little.
   */
  public static final class Bytes {
    private static final int INITIAL = 512;
    private static final int MAX_KEPT = 16 * 1024;

    private byte[] array = new byte[INITIAL];
    private int length;

    byte[] array() {
      return array;
    }

    int length() {
      return length;
    }

    /** Returns a copy of the base's bytes. */
    public byte[] toByteArray() {
      return Arrays.copyOf(array, length);
    }

    private void reset() {
      if (array.length > MAX_KEPT) {
        array = new byte[INITIAL];
      }
      length = 0;
    }

    private void ensure(int more) {
      if (length + more > array.length) {
        array = Arrays.copyOf(array, Math.max(array.length * 2, length + more));
      }
    }

    private void ascii(char c) {
      ensure(1);
      array[length++] = (byte) c;
    }

    private void text(String s) {
      text(s, 0, s.length());
    }

    /**
     * Appends {@code s} from {@code from} to {@code to} as UTF-8 (ASCII, the usual case, one byte a
     * character without encoding).
     */
    void text(String s, int from, int to) {
      ensure(to - from);
      for (int i = from; i < to; i++) {
        char c = s.charAt(i);
        if (c >= 0x80) {
          byte[] rest = s.substring(i, to).getBytes(StandardCharsets.UTF_8);
          ensure(rest.length);
          System.arraycopy(rest, 0, array, length, rest.length);
          length += rest.length;
          return;
        }
        array[length++] = (byte) c;
      }
    }

    /** Appends a component's value; a line break in it would forge another line. */
    private void value(String component, String v) throws Unusable {
      for (int i = 0; i < v.length(); i++) {
        char c = v.charAt(i);
        if (c == '\n' || c == '\r') {
          throw new Unusable("component " + component + " holds a line break");
        }
      }
      text(v);
    }
  }

  /** Returns why a name cannot be a covered component here, or null when it can. */
  public static @org.jspecify.annotations.Nullable String problem(String name) {
    if (name.startsWith("@")) {
      return DERIVED.contains(name) ? null : "unsupported derived component " + name;
    }
    if (name.isEmpty() || name.length() > MAX_NAME_CHARS) {
      return "not a lower-case header field name: " + name;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && NAME_SYMBOLS.indexOf(c) < 0) {
        return "not a lower-case header field name: " + name;
      }
    }
    return null;
  }

  /**
   * Returns the signature base of a request for a received signature, in this thread's buffer.
   *
   * @throws Unusable when a component is unsupported, repeated, or absent from the request
   */
  public static Bytes build(RequestSignature signature, MessageComponents m) throws Unusable {
    Bytes b = BUFFERS.get();
    write(b, signature.covered(), m);
    signature.writeSignatureParams(b);
    return b;
  }

  /**
   * Returns the signature base of a request for a received signature.
   *
   * @throws Unusable when a component is unsupported, repeated, or absent from the request
   */
  public static byte[] of(RequestSignature signature, MessageComponents m) throws Unusable {
    return build(signature, m).toByteArray();
  }

  /**
   * Returns the signature base of a request for the covered components and the serialized signature
   * parameters (the {@code Signature-Input} member as received).
   *
   * @throws Unusable when a component is unsupported, repeated, or absent from the request
   */
  public static byte[] of(List<String> covered, InnerList input, MessageComponents m)
      throws Unusable {
    Bytes b = BUFFERS.get();
    write(b, covered, m);
    b.text(StructuredFields.serialize(input));
    return b.toByteArray();
  }

  /** Writes the component lines and the start of the {@code @signature-params} line. */
  private static void write(Bytes b, List<String> covered, MessageComponents m) throws Unusable {
    b.reset();
    for (int i = 0; i < covered.size(); i++) {
      String name = covered.get(i);
      String problem = problem(name);
      if (problem != null) {
        throw new Unusable(problem);
      }
      for (int j = 0; j < i; j++) {
        if (covered.get(j).equals(name)) {
          throw new Unusable("component " + name + " covered twice");
        }
      }
      b.ascii('"');
      b.text(name);
      b.text("\": ");
      value(b, name, m);
      b.ascii('\n');
    }
    b.text("\"@signature-params\": ");
  }

  /**
   * Returns the {@code Signature-Input} inner list of the given components and parameters (in the
   * order given), as a signer writes it.
   */
  public static InnerList input(List<String> covered, Map<String, Object> params) {
    List<Item> items = new java.util.ArrayList<>();
    for (String c : covered) {
      items.add(new Item(c, Map.of()));
    }
    return new InnerList(items, new LinkedHashMap<>(params));
  }

  private static void value(Bytes b, String name, MessageComponents m) throws Unusable {
    switch (name) {
      case "@method" -> b.value(name, m.method());
      case "@target-uri" -> {
        b.value(name, m.scheme());
        b.text("://");
        b.value(name, m.authority());
        requestTarget(b, name, m);
      }
      case "@authority" -> b.value(name, m.authority());
      case "@scheme" -> b.value(name, m.scheme());
      case "@request-target" -> requestTarget(b, name, m);
      case "@path" -> b.value(name, m.path());
      case "@query" -> {
        String query = m.query();
        b.ascii('?');
        b.value(name, query == null ? "" : query);
      }
      default -> field(b, name, m);
    }
  }

  private static void requestTarget(Bytes b, String name, MessageComponents m) throws Unusable {
    b.value(name, m.path());
    String query = m.query();
    if (query != null) {
      b.ascii('?');
      b.value(name, query);
    }
  }

  /** Writes a header field's lines, each trimmed, joined with {@code ", "}. */
  private static void field(Bytes b, String name, MessageComponents m) throws Unusable {
    List<String> lines = m.header(name);
    if (lines.isEmpty()) {
      throw new Unusable("covered header " + name + " is absent");
    }
    for (int i = 0; i < lines.size(); i++) {
      if (i > 0) {
        b.text(", ");
      }
      b.value(name, lines.get(i).strip());
    }
  }
}
