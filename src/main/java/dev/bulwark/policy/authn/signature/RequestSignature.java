package dev.bulwark.policy.authn.signature;

import dev.bulwark.policy.authn.signature.StructuredFields.Malformed;
import dev.bulwark.policy.authn.signature.StructuredFields.Parser;
import java.math.BigDecimal;
import java.security.Key;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One signature of a request, as its {@code Signature-Input} and {@code Signature} members give it
 * under one label: the covered components in order, the signature parameters ({@code created},
 * {@code expires}, {@code nonce}, {@code keyid}, {@code alg}, {@code tag}; others are kept for the
 * signature base but mean nothing here), and the signature's bytes.
 *
 * <p>The headers are read straight into these fields, without the dictionaries, lists and maps of a
 * general Structured Fields value (a signed request on the bench allocated about 2 KB here): the
 * grammar and the strictness are {@link StructuredFields}'s, whose cursor this walks.
 */
public final class RequestSignature {
  /**
   * The label, parameter names, component names and algorithm names read as constants, not copied
   * from the header.
   */
  private static final List<String> KNOWN =
      List.of(
          "sig1",
          "created",
          "expires",
          "nonce",
          "keyid",
          "alg",
          "tag",
          "@method",
          "@target-uri",
          "@authority",
          "@scheme",
          "@request-target",
          "@path",
          "@query",
          "content-digest",
          "content-type",
          "hmac-sha256",
          "ed25519",
          "ecdsa-p256-sha256");

  /** The label {@code bulwark sign} and the RFC's examples use, read as a constant. */
  private static final List<String> KNOWN_LABELS = List.of("sig1");

  private final String label;
  private final List<String> covered;
  private final String paramsText;
  private final int paramsFrom;
  private final int paramsTo;
  private final @Nullable Long created;
  private final @Nullable Long expires;
  private final @Nullable String nonce;
  private final @Nullable String keyId;
  private final @Nullable String alg;
  private final @Nullable String tag;
  private final byte[] signature;

  private RequestSignature(Member m, byte[] signature) throws Malformed {
    this.label = m.label;
    this.covered = Collections.unmodifiableList(m.covered);
    if (m.canonical) {
      this.paramsText = m.text;
      this.paramsFrom = m.start;
      this.paramsTo = m.end;
    } else {
      Parser p = new Parser(m.text);
      p.pos = m.start;
      this.paramsText = StructuredFields.serialize(p.innerList());
      this.paramsFrom = 0;
      this.paramsTo = paramsText.length();
    }
    this.created = longParam(m.created, "created");
    this.expires = longParam(m.expires, "expires");
    this.nonce = stringParam(m.nonce, "nonce");
    this.keyId = stringParam(m.keyId, "keyid");
    this.alg = stringParam(m.alg, "alg");
    this.tag = stringParam(m.tag, "tag");
    this.signature = signature;
  }

  /** Returns the label both headers name this signature by. */
  public String label() {
    return label;
  }

  /** Returns the covered component names, in order. */
  public List<String> covered() {
    return covered;
  }

  /**
   * Returns the value of the {@code @signature-params} line: the {@code Signature-Input} member in
   * its canonical serialization (the text received when it was canonical already).
   */
  public String signatureParams() {
    return paramsText.substring(paramsFrom, paramsTo);
  }

  /** Writes {@link #signatureParams()} into a base without copying it first. */
  void writeSignatureParams(SignatureBase.Bytes base) {
    base.text(paramsText, paramsFrom, paramsTo);
  }

  /** Returns the {@code created} parameter (seconds since the epoch), or null when absent. */
  public @Nullable Long created() {
    return created;
  }

  /** Returns the {@code expires} parameter (seconds since the epoch), or null when absent. */
  public @Nullable Long expires() {
    return expires;
  }

  /** Returns the {@code nonce} parameter, or null when absent. */
  public @Nullable String nonce() {
    return nonce;
  }

  /** Returns the {@code keyid} parameter, or null when absent. */
  public @Nullable String keyId() {
    return keyId;
  }

  /** Returns the {@code alg} parameter, or null when absent. */
  public @Nullable String alg() {
    return alg;
  }

  /** Returns the {@code tag} parameter, or null when absent. */
  public @Nullable String tag() {
    return tag;
  }

  /** Returns a copy of the signature's bytes. */
  public byte[] signature() {
    return signature.clone();
  }

  /** Returns whether this signature verifies over a base with the algorithm and key. */
  public boolean verifiedBy(SignatureAlgorithm algorithm, Key key, SignatureBase.Bytes base) {
    return algorithm.verify(key, base.array(), base.length(), signature);
  }

  /**
   * Parses every signature of a request from its header lines (each header's lines are joined as
   * one field, RFC 9110 section 5.3).
   *
   * @throws Malformed when either header is not a well-formed dictionary of the expected shape,
   *     longer than {@code maxChars}, with more than {@code maxLabels} members, or when a label has
   *     an input and no signature or the reverse
   */
  public static List<RequestSignature> parse(
      List<String> inputLines, List<String> signatureLines, int maxChars, int maxLabels)
      throws Malformed {
    List<Member> inputs = inputs(joined(inputLines, maxChars), maxChars, maxLabels);
    Signatures signatures = signatures(joined(signatureLines, maxChars), maxChars, maxLabels);
    if (!signatures.sameLabelsAs(inputs)) {
      throw new Malformed("Signature-Input and Signature name different labels");
    }
    List<RequestSignature> out = new ArrayList<>(inputs.size());
    for (Member m : inputs) {
      if (!m.innerList) {
        throw new Malformed("Signature-Input member " + m.label + " is not an inner list");
      }
      byte[] sig = signatures.bytesOf(m.label);
      if (sig == null) {
        throw new Malformed("Signature member " + m.label + " is not a byte sequence");
      }
      if (m.componentProblem != null) {
        throw new Malformed(m.componentProblem);
      }
      out.add(new RequestSignature(m, sig));
    }
    return out;
  }

  /** One {@code Signature-Input} member as read; what it means is checked once both are read. */
  private static final class Member {
    final String label;
    final String text;
    boolean innerList;
    int start;
    int end;
    boolean canonical = true;
    final List<String> covered = new ArrayList<>(8);
    @Nullable String componentProblem;
    @Nullable Object created;
    @Nullable Object expires;
    @Nullable Object nonce;
    @Nullable Object keyId;
    @Nullable Object alg;
    @Nullable Object tag;
    @Nullable Set<String> otherParams;

    Member(String label, String text) {
      this.label = label;
      this.text = text;
    }

    /** Notes a form that serializes otherwise: the member is then not canonical. */
    void canonicalIf(boolean canonicalForm) {
      if (!canonicalForm) {
        canonical = false;
      }
    }

    /** Keeps a parameter's value; a repeated one is refused. */
    void param(String key, Object value) throws Malformed {
      boolean repeated;
      switch (key) {
        case "created" -> {
          repeated = created != null;
          created = value;
        }
        case "expires" -> {
          repeated = expires != null;
          expires = value;
        }
        case "nonce" -> {
          repeated = nonce != null;
          nonce = value;
        }
        case "keyid" -> {
          repeated = keyId != null;
          keyId = value;
        }
        case "alg" -> {
          repeated = alg != null;
          alg = value;
        }
        case "tag" -> {
          repeated = tag != null;
          tag = value;
        }
        default -> {
          if (otherParams == null) {
            otherParams = new HashSet<>();
          }
          repeated = !otherParams.add(key);
        }
      }
      if (repeated) {
        throw new Malformed("parameter " + key + " given twice");
      }
    }
  }

  /** Reads the {@code Signature-Input} dictionary (the grammar of StructuredFields.dictionary). */
  private static List<Member> inputs(String text, int maxChars, int maxMembers) throws Malformed {
    checkLength(text, maxChars);
    Parser p = new Parser(text, KNOWN);
    List<Member> out = new ArrayList<>(2);
    p.skipSp();
    if (p.end()) {
      throw new Malformed("empty dictionary");
    }
    while (true) {
      Member m = new Member(p.key(), text);
      if (p.peek() == '=') {
        p.pos++;
        if (p.peek() == '(') {
          innerList(p, m);
        } else {
          p.item();
        }
      } else {
        p.params();
      }
      for (Member seen : out) {
        if (seen.label.equals(m.label)) {
          throw new Malformed("member " + m.label + " given twice");
        }
      }
      out.add(m);
      if (out.size() > maxMembers) {
        throw new Malformed("more than " + maxMembers + " members");
      }
      if (endOfMember(p)) {
        return out;
      }
    }
  }

  /**
   * Reads an inner list of covered components and its parameters into {@code m}, noting whether the
   * text is already the canonical serialization (one space between items, none inside the
   * parentheses or after a semicolon, integers without leading zeros, no decimals, byte sequences
   * or {@code =?1}: the forms that serialize otherwise).
   */
  private static void innerList(Parser p, Member m) throws Malformed {
    m.innerList = true;
    m.start = p.pos;
    p.expect('(');
    for (int items = 0; ; items++) {
      int spaces = p.pos;
      p.skipSp();
      spaces = p.pos - spaces;
      if (p.peek() == ')') {
        m.canonicalIf(spaces == 0);
        p.pos++;
        break;
      }
      m.canonicalIf(spaces == (items == 0 ? 0 : 1));
      Object component = p.bareItem();
      boolean withParams = p.peek() == ';';
      if (withParams) {
        p.params();
      }
      if (m.componentProblem == null) {
        if (!(component instanceof String name)) {
          m.componentProblem = "a covered component of " + m.label + " is not a string";
        } else if (withParams) {
          m.componentProblem = "component parameters (such as ;sf) are not supported";
        } else {
          m.covered.add(name);
        }
      }
      char c = p.peek();
      if (c != ' ' && c != ')') {
        throw new Malformed("expected ' ' or ')' in an inner list at " + p.pos);
      }
    }
    while (p.peek() == ';') {
      p.pos++;
      int before = p.pos;
      p.skipSp();
      m.canonicalIf(p.pos == before);
      String key = p.key();
      Object value = Boolean.TRUE;
      if (p.peek() == '=') {
        p.pos++;
        int from = p.pos;
        value = p.bareItem();
        m.canonicalIf(canonical(value, p.s, from, p.pos));
      }
      m.param(key, value);
    }
    m.end = p.pos;
  }

  /** Returns whether a bare item's text is its own canonical serialization. */
  private static boolean canonical(Object value, String s, int from, int to) {
    if (value instanceof Long) {
      int digits = s.charAt(from) == '-' ? from + 1 : from;
      boolean leadingZero = s.charAt(digits) == '0' && (to - digits > 1 || digits > from);
      return !leadingZero;
    }
    if (value instanceof Boolean b) {
      return !b; // ?1 is written as the bare key
    }
    return !(value instanceof BigDecimal) && !(value instanceof byte[]);
  }

  /** The {@code Signature} members: each label and its bytes (null when not a byte sequence). */
  private static final class Signatures {
    final List<String> labels = new ArrayList<>(2);
    final List<byte @Nullable []> bytes = new ArrayList<>(2);

    boolean sameLabelsAs(List<Member> inputs) {
      if (inputs.size() != labels.size()) {
        return false;
      }
      for (Member m : inputs) {
        if (!labels.contains(m.label)) {
          return false;
        }
      }
      return true;
    }

    byte @Nullable [] bytesOf(String label) {
      return bytes.get(labels.indexOf(label));
    }
  }

  /** Reads the {@code Signature} dictionary (the grammar of StructuredFields.dictionary). */
  private static Signatures signatures(String text, int maxChars, int maxMembers) throws Malformed {
    checkLength(text, maxChars);
    Parser p = new Parser(text, KNOWN_LABELS);
    Signatures out = new Signatures();
    p.skipSp();
    if (p.end()) {
      throw new Malformed("empty dictionary");
    }
    while (true) {
      String label = p.key();
      byte[] value = null;
      if (p.peek() == '=') {
        p.pos++;
        if (p.peek() == '(') {
          p.innerList();
        } else {
          Object bare = p.bareItem();
          boolean withParams = p.peek() == ';';
          if (withParams) {
            p.params();
          }
          value = bare instanceof byte[] b ? b : null;
        }
      } else {
        p.params();
      }
      if (out.labels.contains(label)) {
        throw new Malformed("member " + label + " given twice");
      }
      out.labels.add(label);
      out.bytes.add(value);
      if (out.labels.size() > maxMembers) {
        throw new Malformed("more than " + maxMembers + " members");
      }
      if (endOfMember(p)) {
        return out;
      }
    }
  }

  /** Steps over the separator after a member; returns true at the end of the dictionary. */
  private static boolean endOfMember(Parser p) throws Malformed {
    p.skipOws();
    if (p.end()) {
      return true;
    }
    p.expect(',');
    p.skipOws();
    if (p.end()) {
      throw new Malformed("trailing comma");
    }
    return false;
  }

  private static void checkLength(String text, int maxChars) throws Malformed {
    if (text.length() > maxChars) {
      throw new Malformed(text.length() + " characters (expected: at most " + maxChars + ")");
    }
  }

  private static @Nullable Long longParam(@Nullable Object v, String name) throws Malformed {
    if (v == null || v instanceof Long) {
      return (Long) v;
    }
    throw new Malformed("parameter " + name + " is not an integer");
  }

  private static @Nullable String stringParam(@Nullable Object v, String name) throws Malformed {
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw new Malformed("parameter " + name + " is not a string");
  }

  private static String joined(List<String> lines, int maxChars) throws Malformed {
    if (lines.isEmpty()) {
      throw new Malformed("missing");
    }
    int total = 0;
    for (String l : lines) {
      total += l.length() + 2;
      if (total > maxChars + 2) {
        throw new Malformed("longer than " + maxChars + " characters");
      }
    }
    return lines.size() == 1 ? lines.get(0) : String.join(", ", lines);
  }
}
