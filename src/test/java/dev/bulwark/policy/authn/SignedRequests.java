package dev.bulwark.policy.authn;

import dev.bulwark.policy.authn.signature.MessageComponents;
import dev.bulwark.policy.authn.signature.RequestSigner;
import dev.bulwark.policy.authn.signature.SignatureAlgorithm;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Signs test requests the way a client would, with keys generated at test time (never committed): a
 * target (method, scheme, authority, path, query, headers) and the parameters to sign it with.
 */
public final class SignedRequests {
  private SignedRequests() {}

  /** A 48-character HMAC secret, new on each call. */
  public static String hmacSecret() {
    return UUID.randomUUID().toString().replace("-", "") + "0123456789abcdef";
  }

  /** A new Ed25519 key pair. */
  public static KeyPair ed25519() throws Exception {
    return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
  }

  /** A new P-256 key pair. */
  public static KeyPair p256() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  /** Returns a key in PEM ({@code PUBLIC KEY} or {@code PRIVATE KEY}). */
  public static String pem(Key key) {
    String label = key instanceof java.security.PublicKey ? "PUBLIC KEY" : "PRIVATE KEY";
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
        + "\n-----END "
        + label
        + "-----\n";
  }

  /** A request as a client signs it. */
  public record Target(
      String method,
      String scheme,
      String authority,
      String path,
      @Nullable String query,
      Map<String, List<String>> headers)
      implements MessageComponents {

    /** A target with no headers. */
    public static Target of(String method, String uri) {
      java.net.URI u = java.net.URI.create(uri);
      String authority = u.getRawAuthority();
      return new Target(
          method,
          u.getScheme(),
          authority,
          u.getRawPath().isEmpty() ? "/" : u.getRawPath(),
          u.getRawQuery(),
          new LinkedHashMap<>());
    }

    /** Adds a header value. */
    public Target header(String name, String value) {
      headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
      return this;
    }

    @Override
    public List<String> header(String lowerCaseName) {
      return headers.getOrDefault(lowerCaseName, List.of());
    }
  }

  /** Parameters for a key now, with a fresh nonce and {@code alg} written. */
  public static RequestSigner.Parameters now(String keyId, SignatureAlgorithm alg, Key key) {
    return new RequestSigner.Parameters(
        "sig1",
        alg,
        key,
        keyId,
        System.currentTimeMillis() / 1000,
        null,
        UUID.randomUUID().toString(),
        null,
        true);
  }

  /** Returns the parameters with another {@code created}. */
  public static RequestSigner.Parameters created(RequestSigner.Parameters p, long created) {
    return new RequestSigner.Parameters(
        p.label(),
        p.algorithm(),
        p.key(),
        p.keyId(),
        created,
        p.expires(),
        p.nonce(),
        p.tag(),
        p.writeAlg());
  }

  /** Returns the headers that sign the target. */
  public static RequestSigner.Headers sign(
      Target t, List<String> covered, RequestSigner.Parameters p) throws Exception {
    return RequestSigner.sign(t, covered, p);
  }
}
