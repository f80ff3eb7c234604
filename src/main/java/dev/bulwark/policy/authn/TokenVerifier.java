package dev.bulwark.policy.authn;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.identity.Caller;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Verifies compact JWS bearer tokens, strictly: three base64url parts and nothing else, an
 * algorithm from the issuer's allow-list, no {@code crit} header (not even an empty one), keys
 * chosen only from the configured ones (never from {@code jku}, {@code x5u}, {@code x5c} or {@code
 * jwk}), the signature, then {@code iss}, {@code aud}, {@code exp}, {@code nbf}, {@code iat} and
 * {@code sub}. Pure: no I/O, the time is given.
 */
public final class TokenVerifier {
  /** The largest {@code kid} accepted; longer ones are refused before any lookup. */
  static final int MAX_KID = 256;

  private static final int MAX_KEYS_TRIED = 4;
  private static final int MAX_VALUES = 256;
  private static final int MAX_SUBJECT = 256;
  private static final String CRIT = "crit";

  private TokenVerifier() {}

  /** The result of a verification step. */
  public sealed interface Outcome {}

  /** A valid token and who it speaks for. */
  public record Valid(Caller caller) implements Outcome {}

  /** A refused token: {@code expired} or {@code invalid}, and the reason for the log. */
  public record Invalid(boolean expired, String reason) implements Outcome {}

  /** A token signed with a key id the current key set does not hold (refresh, then retry). */
  public record UnknownKey(String kid) implements Outcome {}

  /** A token parsed but not yet verified. */
  public record Parsed(SignedJWT jwt, JWTClaimsSet claims) {}

  /** Parses a token's shape, header and claims without trusting any of it; null when malformed. */
  public static @Nullable Parsed parse(String token, int maxBytes) {
    if (token.length() > maxBytes || !wellFormed(token)) {
      return null;
    }
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      return new Parsed(jwt, jwt.getJWTClaimsSet());
    } catch (ParseException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Returns whether a token is exactly three non-empty, canonical base64url parts (no padding, no
   * stray bits in the last character), so that one token has exactly one spelling.
   */
  static boolean wellFormed(String token) {
    int dots = 0;
    int partLength = 0;
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '.') {
        if (partLength == 0 || !canonicalEnd(token.charAt(i - 1), partLength)) {
          return false;
        }
        dots++;
        partLength = 0;
      } else if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_') {
        partLength++;
      } else {
        return false;
      }
    }
    return dots == 2
        && partLength > 0
        && canonicalEnd(token.charAt(token.length() - 1), partLength);
  }

  /** Returns whether a part's last character carries no bits beyond its length's byte count. */
  private static boolean canonicalEnd(char last, int length) {
    int v = base64Value(last);
    return switch (length % 4) {
      case 1 -> false;
      case 2 -> (v & 0x0f) == 0;
      case 3 -> (v & 0x03) == 0;
      default -> true;
    };
  }

  private static int base64Value(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '-' ? 62 : 63;
  }

  /**
   * Checks the header and signature of a parsed token against an issuer's algorithms and keys (or
   * secret); returns null when the signature is good.
   */
  public static @Nullable Outcome checkSignature(
      SignedJWT jwt, Set<JWSAlgorithm> algorithms, List<JWK> keys, byte @Nullable [] secret) {
    return checkSignature(jwt, algorithms, keys, secret == null ? List.of() : List.of(secret));
  }

  /**
   * Checks as {@link #checkSignature(SignedJWT, Set, List, byte[])} with HMAC {@code secrets} (an
   * HMAC issuer when not empty): a signature made with any of them is good, so that old and new
   * secrets both verify while a rotation overlaps.
   */
  public static @Nullable Outcome checkSignature(
      SignedJWT jwt, Set<JWSAlgorithm> algorithms, List<JWK> keys, List<byte[]> secrets) {
    JWSHeader h = jwt.getHeader();
    JWSAlgorithm alg = h.getAlgorithm();
    if (!algorithms.contains(alg)) {
      return new Invalid(false, "algorithm " + printable(alg.getName()) + " not allowed");
    }
    if (hasCrit(h)) {
      return new Invalid(false, "unsupported crit header");
    }
    String kid = h.getKeyID();
    if (kid != null && (kid.length() > MAX_KID || kid.isEmpty())) {
      return new Invalid(false, "kid too long or empty");
    }
    try {
      if (!secrets.isEmpty()) {
        if (!JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
          return new Invalid(false, "non-HMAC algorithm for an HMAC issuer");
        }
        for (byte[] secret : secrets) {
          if (jwt.verify(new MACVerifier(secret))) {
            return null;
          }
        }
        return new Invalid(false, "bad signature");
      }
      if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
        return new Invalid(false, "HMAC algorithm for an issuer with public keys");
      }
      List<JWK> candidates = new ArrayList<>();
      boolean kidKnown = false;
      for (JWK k : keys) {
        if (kid != null && !kid.equals(k.getKeyID())) {
          continue;
        }
        kidKnown = true;
        if (fits(k, alg)) {
          candidates.add(k);
        }
      }
      if (kid != null && !kidKnown) {
        return new UnknownKey(kid);
      }
      if (candidates.isEmpty()) {
        return new Invalid(false, "no configured key fits " + alg.getName());
      }
      for (int i = 0; i < candidates.size() && i < MAX_KEYS_TRIED; i++) {
        if (jwt.verify(verifier(candidates.get(i)))) {
          return null;
        }
      }
      return new Invalid(false, "bad signature");
    } catch (JOSEException | RuntimeException e) {
      return new Invalid(false, "signature not verifiable (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * Returns whether the header carries {@code crit} in any form. The gateway understands no
   * extension, so every {@code crit} is refused (RFC 7515 §4.1.11): a non-empty list names one it
   * does not understand, and an empty list, {@code null} or a non-list is malformed. Read from the
   * header as sent, because the parsed header forgets an empty or null {@code crit}.
   */
  static boolean hasCrit(JWSHeader h) {
    if (h.getCriticalParams() != null && !h.getCriticalParams().isEmpty()) {
      return true;
    }
    Base64URL sent = h.getParsedBase64URL();
    if (sent == null) {
      return false; // a header built in code, not parsed from a token
    }
    try {
      return JSONObjectUtils.parse(sent.decodeToString()).containsKey(CRIT);
    } catch (ParseException e) {
      return true; // cannot happen for a header that parsed; refuse rather than guess
    }
  }

  /** Returns whether a key may verify an algorithm: same family, curve and declared alg. */
  static boolean fits(JWK k, JWSAlgorithm alg) {
    if (k.getAlgorithm() != null && !k.getAlgorithm().equals(alg)) {
      return false;
    }
    if (k.getKeyType() == KeyType.EC) {
      Curve c = ((ECKey) k).getCurve();
      return (alg.equals(JWSAlgorithm.ES256) && Curve.P_256.equals(c))
          || (alg.equals(JWSAlgorithm.ES384) && Curve.P_384.equals(c))
          || (alg.equals(JWSAlgorithm.ES512) && Curve.P_521.equals(c));
    }
    if (k.getKeyType() == KeyType.RSA) {
      return JWSAlgorithm.Family.RSA.contains(alg) && IssuerConfig.strongEnough(k);
    }
    if (k.getKeyType() == KeyType.OKP) {
      return (alg.equals(JWSAlgorithm.EdDSA) || alg.equals(JWSAlgorithm.Ed25519))
          && Curve.Ed25519.equals(((OctetKeyPair) k).getCurve());
    }
    return false;
  }

  private static JWSVerifier verifier(JWK k) throws JOSEException {
    if (k instanceof ECKey ec) {
      return new ECDSAVerifier(ec.toPublicJWK());
    }
    if (k instanceof RSAKey rsa) {
      return new RSASSAVerifier(rsa.toPublicJWK());
    }
    if (k instanceof OctetKeyPair okp) {
      return new Ed25519Verifier(okp.toPublicJWK());
    }
    throw new JOSEException("unsupported key type");
  }

  /** Checks the header's {@code typ} and the claims; returns the caller or why not. */
  public static Outcome checkClaims(
      SignedJWT jwt, JWTClaimsSet claims, IssuerConfig issuer, long nowSeconds) {
    String typ = issuer.typ();
    if (typ != null) {
      String got = jwt.getHeader().getType() == null ? null : jwt.getHeader().getType().getType();
      if (got == null || !sameType(got, typ)) {
        return new Invalid(false, "typ is not " + typ);
      }
    }
    if (!issuer.issuer().equals(claims.getIssuer())) {
      return new Invalid(false, "iss does not match");
    }
    List<String> aud = claims.getAudience();
    boolean audOk = false;
    for (String a : aud) {
      audOk |= issuer.audiences().contains(a);
    }
    if (!audOk) {
      return new Invalid(false, aud.isEmpty() ? "aud missing" : "aud does not match");
    }
    long skew = issuer.clockSkew().toSeconds();
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      return new Invalid(false, "exp missing");
    }
    long expSeconds = exp.getTime() / 1000;
    if (expSeconds + skew <= nowSeconds) {
      return new Invalid(true, "expired");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && nbf.getTime() / 1000 > nowSeconds + skew) {
      return new Invalid(false, "not yet valid (nbf)");
    }
    Date iat = claims.getIssueTime();
    if (iat != null && iat.getTime() / 1000 > nowSeconds + skew) {
      return new Invalid(false, "issued in the future (iat)");
    }
    IssuerConfig.Claims names = issuer.claims();
    Object sub = claim(claims, names.subject());
    if (!(sub instanceof String s) || s.isEmpty() || s.length() > MAX_SUBJECT) {
      return new Invalid(false, "subject claim missing or not a string");
    }
    return new Valid(
        new Caller(
            s,
            issuer.name(),
            values(claim(claims, names.roles())),
            values(claim(claims, names.scopes())),
            values(claim(claims, names.organisations())),
            scalarClaims(claims),
            expSeconds));
  }

  private static boolean sameType(String got, String want) {
    String g = got.regionMatches(true, 0, "application/", 0, 12) ? got.substring(12) : got;
    String w = want.regionMatches(true, 0, "application/", 0, 12) ? want.substring(12) : want;
    return g.equalsIgnoreCase(w);
  }

  /** Returns a claim by name or dotted path ({@code realm_access.roles}). */
  static @Nullable Object claim(JWTClaimsSet claims, String path) {
    Object v = claims.getClaim(path);
    if (v != null || path.indexOf('.') < 0) {
      return v;
    }
    Object cur = claims.getClaims();
    for (String part : path.split("\\.", 6)) {
      if (!(cur instanceof Map<?, ?> m)) {
        return null;
      }
      cur = m.get(part);
    }
    return cur;
  }

  /** Reads a list of strings, or a space-separated string, bounded. */
  static Set<String> values(@Nullable Object v) {
    Set<String> out = new LinkedHashSet<>();
    if (v instanceof String s) {
      for (String part : s.split(" ", MAX_VALUES + 1)) {
        if (!part.isEmpty() && out.size() < MAX_VALUES) {
          out.add(part);
        }
      }
    } else if (v instanceof Collection<?> c) {
      for (Object o : c) {
        if (o instanceof String s && !s.isEmpty() && out.size() < MAX_VALUES) {
          out.add(s);
        }
      }
    }
    return out;
  }

  private static Map<String, List<String>> scalarClaims(JWTClaimsSet claims) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : claims.getClaims().entrySet()) {
      if (out.size() >= 64) {
        break;
      }
      Object v = e.getValue();
      if (v instanceof String || v instanceof Number || v instanceof Boolean) {
        out.put(e.getKey(), List.of(String.valueOf(v)));
      } else if (v instanceof Collection<?> c && c.size() <= MAX_VALUES) {
        List<String> l = new ArrayList<>();
        for (Object o : c) {
          if (o instanceof String || o instanceof Number || o instanceof Boolean) {
            l.add(String.valueOf(o));
          }
        }
        out.put(e.getKey(), List.copyOf(l));
      }
    }
    return out;
  }

  private static String printable(String s) {
    String t = s.length() > 20 ? s.substring(0, 20) : s;
    return t.replaceAll("[^A-Za-z0-9+._-]", "?");
  }
}
