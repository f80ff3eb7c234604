package dev.bulwark.policy.authn;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;

/** Test keys (generated per run) and tokens: well-formed ones and every hostile shape. */
public final class Tokens {
  public static final String ISS = "https://id.test.example/";
  public static final String AUD = "api";

  public final ECKey ec;
  public final RSAKey rsa;

  public Tokens(String kid) throws Exception {
    ec = new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
    rsa = new RSAKeyGenerator(2048).keyID(kid + "-rsa").generate();
  }

  /** Writes the public keys (EC and RSA) as a JWKS file and returns its path. */
  public Path writePublicJwks(Path dir) throws Exception {
    Path f = dir.resolve("keys-" + ec.getKeyID() + ".jwks");
    Files.writeString(f, jwks(), StandardCharsets.UTF_8);
    return f;
  }

  public String jwks() {
    return new com.nimbusds.jose.jwk.JWKSet(List.<JWK>of(ec.toPublicJWK(), rsa.toPublicJWK()))
        .toString(true);
  }

  /** Claims of a valid token for a subject, valid for 10 minutes. */
  public static JWTClaimsSet.Builder claims(String subject) {
    long now = System.currentTimeMillis();
    return new JWTClaimsSet.Builder()
        .issuer(ISS)
        .audience(AUD)
        .subject(subject)
        .issueTime(new Date(now - 1000))
        .notBeforeTime(new Date(now - 1000))
        .expirationTime(new Date(now + 600_000));
  }

  /** Returns an ES256 token signed by the EC key. */
  public String es256(JWTClaimsSet claims) throws Exception {
    return sign(
        new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ec.getKeyID()).build(),
        claims,
        new ECDSASigner(ec));
  }

  public String es256(Consumer<JWTClaimsSet.Builder> edit) throws Exception {
    JWTClaimsSet.Builder b = claims("alice");
    edit.accept(b);
    return es256(b.build());
  }

  public String es256(JWSHeader.Builder header, JWTClaimsSet claims) throws Exception {
    return sign(header.build(), claims, new ECDSASigner(ec));
  }

  public String rs256(JWTClaimsSet claims) throws Exception {
    return sign(
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID()).build(),
        claims,
        new RSASSASigner(rsa));
  }

  public static String hs256(byte[] secret, JWSHeader header, JWTClaimsSet claims)
      throws Exception {
    return sign(header, claims, new MACSigner(secret));
  }

  public static String sign(JWSHeader header, JWTClaimsSet claims, JWSSigner signer)
      throws Exception {
    SignedJWT jwt = new SignedJWT(header, claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  /** Builds a compact token from raw header JSON, raw payload JSON and raw signature bytes. */
  public static String raw(String headerJson, String payloadJson, byte[] signature) {
    return b64(headerJson) + "." + b64(payloadJson) + "." + Base64URL.encode(signature);
  }

  /** Signs raw header and payload JSON with the EC key (for duplicate-key documents). */
  public String rawEs256(String headerJson, String payloadJson) throws Exception {
    String input = b64(headerJson) + "." + b64(payloadJson);
    ECDSASigner s = new ECDSASigner(ec);
    Base64URL sig =
        s.sign(new JWSHeader(JWSAlgorithm.ES256), input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + sig;
  }

  public static String b64(String json) {
    return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** A header with a typ. */
  public JWSHeader.Builder header() {
    return new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ec.getKeyID()).type(JOSEObjectType.JWT);
  }

  /** The claims of a valid token as JSON. */
  public static String claimsJson(String subject) {
    return claims(subject).build().toString();
  }
}
