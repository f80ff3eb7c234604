package dev.bulwark.policy.authn.signature;

import dev.bulwark.policy.authn.signature.StructuredFields.InnerList;
import dev.bulwark.policy.authn.signature.StructuredFields.Item;
import dev.bulwark.policy.authn.signature.StructuredFields.Malformed;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One signature of a request, as its {@code Signature-Input} and {@code Signature} members give it
 * under one label: the covered components in order, the signature parameters ({@code created},
 * {@code expires}, {@code nonce}, {@code keyid}, {@code alg}, {@code tag}; others are kept for the
 * signature base but mean nothing here), and the signature's bytes.
 */
public record RequestSignature(
    String label,
    List<String> covered,
    InnerList input,
    @Nullable Long created,
    @Nullable Long expires,
    @Nullable String nonce,
    @Nullable String keyId,
    @Nullable String alg,
    @Nullable String tag,
    byte[] signature) {

  public RequestSignature {
    covered = List.copyOf(covered);
    signature = signature.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
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
    Map<String, Object> inputs =
        StructuredFields.dictionary(joined(inputLines, maxChars), maxChars, maxLabels);
    Map<String, Object> signatures =
        StructuredFields.dictionary(joined(signatureLines, maxChars), maxChars, maxLabels);
    if (!inputs.keySet().equals(signatures.keySet())) {
      throw new Malformed("Signature-Input and Signature name different labels");
    }
    List<RequestSignature> out = new ArrayList<>();
    for (Map.Entry<String, Object> e : inputs.entrySet()) {
      if (!(e.getValue() instanceof InnerList list)) {
        throw new Malformed("Signature-Input member " + e.getKey() + " is not an inner list");
      }
      if (!(signatures.get(e.getKey()) instanceof Item sig) || !(sig.value() instanceof byte[] b)) {
        throw new Malformed("Signature member " + e.getKey() + " is not a byte sequence");
      }
      List<String> covered = new ArrayList<>();
      for (Item i : list.items()) {
        if (!(i.value() instanceof String name)) {
          throw new Malformed("a covered component of " + e.getKey() + " is not a string");
        }
        if (!i.params().isEmpty()) {
          throw new Malformed("component parameters (such as ;sf) are not supported");
        }
        covered.add(name);
      }
      Map<String, Object> p = list.params();
      out.add(
          new RequestSignature(
              e.getKey(),
              covered,
              list,
              StructuredFields.longParam(p, "created"),
              StructuredFields.longParam(p, "expires"),
              StructuredFields.stringParam(p, "nonce"),
              StructuredFields.stringParam(p, "keyid"),
              StructuredFields.stringParam(p, "alg"),
              StructuredFields.stringParam(p, "tag"),
              b));
    }
    return out;
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
