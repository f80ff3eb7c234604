package dev.bulwark.policy.authn.signature;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Signs a request the way the request-signature credential verifies it, for {@code bulwark sign},
 * the tests and the benchmark: the {@code Signature-Input} and {@code Signature} field values of
 * one label.
 */
public final class RequestSigner {
  private RequestSigner() {}

  /** The two header values to add to the request. */
  public record Headers(String signatureInput, String signature) {}

  /** What to sign with and which parameters to write (null ones are left out). */
  public record Parameters(
      String label,
      SignatureAlgorithm algorithm,
      Key key,
      String keyId,
      long created,
      @Nullable Long expires,
      @Nullable String nonce,
      @Nullable String tag,
      boolean writeAlg) {}

  /**
   * Returns the headers that sign {@code m} over the {@code covered} components, in order.
   *
   * @throws SignatureBase.Unusable when a component is unsupported or absent from the request
   * @throws GeneralSecurityException when the key cannot sign with the algorithm
   */
  public static Headers sign(MessageComponents m, List<String> covered, Parameters p)
      throws SignatureBase.Unusable, GeneralSecurityException {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("created", p.created());
    if (p.expires() != null) {
      params.put("expires", p.expires());
    }
    if (p.nonce() != null) {
      params.put("nonce", p.nonce());
    }
    params.put("keyid", p.keyId());
    if (p.writeAlg()) {
      params.put("alg", p.algorithm().registryName());
    }
    if (p.tag() != null) {
      params.put("tag", p.tag());
    }
    StructuredFields.InnerList input = SignatureBase.input(covered, params);
    byte[] base = SignatureBase.of(covered, input, m);
    byte[] sig = p.algorithm().sign(p.key(), base);
    return new Headers(
        p.label() + "=" + StructuredFields.serialize(input),
        p.label() + "=:" + Base64.getEncoder().encodeToString(sig) + ":");
  }
}
