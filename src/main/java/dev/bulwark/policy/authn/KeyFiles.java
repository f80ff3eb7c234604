package dev.bulwark.policy.authn;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Reads verification keys from JWK, JWKS or PEM text and refuses the ones never to be used. */
final class KeyFiles {
  private KeyFiles() {}

  /** Parses a JWKS document, a single JWK, or PEM public keys / certificates. */
  static List<JWK> parse(String text) throws ParseException, JOSEException {
    String t = text.strip();
    if (t.startsWith("{")) {
      if (t.contains("\"keys\"")) {
        return JWKSet.parse(t).getKeys();
      }
      return List.of(JWK.parse(t));
    }
    return List.of(JWK.parseFromPEMEncodedObjects(t));
  }

  /** Keeps the signature keys of a fetched JWKS that are fit for use, as public keys. */
  static List<JWK> usable(JWKSet set) {
    List<JWK> out = new ArrayList<>();
    for (JWK k : set.getKeys()) {
      if (problem(k) == null && (k.getKeyUse() == null || KeyUse.SIGNATURE.equals(k.getKeyUse()))) {
        out.add(k.toPublicJWK());
      }
    }
    return out;
  }

  /** Returns why a key must not verify tokens, or null when it may. */
  static @Nullable String problem(JWK k) {
    if (k.getKeyType() == KeyType.OCT) {
      return "a symmetric key (expected: public keys; HMAC secrets go in secret)";
    }
    if (k.getKeyOperations() != null
        && !k.getKeyOperations().contains(com.nimbusds.jose.jwk.KeyOperation.VERIFY)) {
      return "key_ops does not include verify";
    }
    if (k.getKeyUse() != null && !KeyUse.SIGNATURE.equals(k.getKeyUse())) {
      return "use is not sig";
    }
    if (!IssuerConfig.strongEnough(k)) {
      return "RSA key shorter than 2048 bits";
    }
    if (k.getKeyType() == KeyType.OKP
        && !com.nimbusds.jose.jwk.Curve.Ed25519.equals(
            ((com.nimbusds.jose.jwk.OctetKeyPair) k).getCurve())) {
      return "an OKP key that is not Ed25519";
    }
    return null;
  }
}
