package dev.bulwark.policy.authn.signature;

import dev.bulwark.policy.authn.signature.StructuredFields.InnerList;
import dev.bulwark.policy.authn.signature.StructuredFields.Item;
import java.nio.charset.StandardCharsets;
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

  private static final java.util.regex.Pattern FIELD_NAME =
      java.util.regex.Pattern.compile("[a-z0-9!#$%&'*+.^_`|~-]{1,64}");

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

  /** Returns why a name cannot be a covered component here, or null when it can. */
  public static @org.jspecify.annotations.Nullable String problem(String name) {
    if (name.startsWith("@")) {
      return DERIVED.contains(name) ? null : "unsupported derived component " + name;
    }
    if (!FIELD_NAME.matcher(name).matches()) {
      return "not a lower-case header field name: " + name;
    }
    return null;
  }

  /**
   * Returns the signature base of a request for a received signature.
   *
   * @throws Unusable when a component is unsupported, repeated, or absent from the request
   */
  public static byte[] of(RequestSignature signature, MessageComponents m) throws Unusable {
    return of(signature.covered(), signature.input(), m);
  }

  /**
   * Returns the signature base of a request for the covered components and the serialized signature
   * parameters (the {@code Signature-Input} member as received).
   *
   * @throws Unusable when a component is unsupported, repeated, or absent from the request
   */
  public static byte[] of(List<String> covered, InnerList input, MessageComponents m)
      throws Unusable {
    StringBuilder sb = new StringBuilder(256);
    for (int i = 0; i < covered.size(); i++) {
      String name = covered.get(i);
      String problem = problem(name);
      if (problem != null) {
        throw new Unusable(problem);
      }
      if (covered.subList(0, i).contains(name)) {
        throw new Unusable("component " + name + " covered twice");
      }
      String value = value(name, m);
      sb.append('"').append(name).append("\": ").append(value).append('\n');
    }
    sb.append("\"@signature-params\": ").append(StructuredFields.serialize(input));
    return sb.toString().getBytes(StandardCharsets.UTF_8);
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

  private static String value(String name, MessageComponents m) throws Unusable {
    String query = m.query();
    String v =
        switch (name) {
          case "@method" -> m.method();
          case "@target-uri" ->
              m.scheme() + "://" + m.authority() + m.path() + (query == null ? "" : "?" + query);
          case "@authority" -> m.authority();
          case "@scheme" -> m.scheme();
          case "@request-target" -> m.path() + (query == null ? "" : "?" + query);
          case "@path" -> m.path();
          case "@query" -> "?" + (query == null ? "" : query);
          default -> field(name, m);
        };
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '\n' || c == '\r') {
        throw new Unusable("component " + name + " holds a line break");
      }
    }
    return v;
  }

  private static String field(String name, MessageComponents m) throws Unusable {
    List<String> lines = m.header(name);
    if (lines.isEmpty()) {
      throw new Unusable("covered header " + name + " is absent");
    }
    StringBuilder sb = new StringBuilder();
    for (String l : lines) {
      sb.append(sb.length() == 0 ? "" : ", ").append(l.strip());
    }
    return sb.toString();
  }
}
