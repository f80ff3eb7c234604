package dev.bulwark.demo;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Duration;
import java.util.Date;
import java.util.List;

/**
 * The demo's token issuer: an ES256 key generated when the demo starts (public half in {@code
 * demo-issuer.jwk}, which the demo configuration trusts; private half, owner-only, in {@code
 * demo-issuer-private.jwk} for {@code bulwark token}), and the tokens it mints.
 */
public final class DemoIssuer {
  public static final String ISSUER = "https://demo.bulwark.invalid/";
  public static final String AUDIENCE = "bulwark-demo";
  public static final String PUBLIC_FILE = "demo-issuer.jwk";
  public static final String PRIVATE_FILE = "demo-issuer-private.jwk";

  private final ECKey key;

  private DemoIssuer(ECKey key) {
    this.key = key;
  }

  /** Generates a key and writes both files into {@code dir}. */
  public static DemoIssuer generate(Path dir) throws IOException {
    try {
      ECKey k =
          new ECKeyGenerator(Curve.P_256).keyID("demo").algorithm(JWSAlgorithm.ES256).generate();
      Files.writeString(
          dir.resolve(PUBLIC_FILE), k.toPublicJWK().toJSONString(), StandardCharsets.UTF_8);
      Path priv = dir.resolve(PRIVATE_FILE);
      Files.deleteIfExists(priv);
      try {
        Files.createFile(
            priv,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(priv);
      }
      Files.writeString(priv, k.toJSONString(), StandardCharsets.UTF_8);
      return new DemoIssuer(k);
    } catch (JOSEException e) {
      throw new IOException("cannot generate the demo issuer key", e);
    }
  }

  /** Loads the private key that a running demo wrote. */
  public static DemoIssuer load(Path privateKeyFile) throws IOException {
    try {
      JWK k = JWK.parse(Files.readString(privateKeyFile, StandardCharsets.UTF_8));
      if (!(k instanceof ECKey ec) || !ec.isPrivate()) {
        throw new IOException(privateKeyFile + ": not a private EC JWK");
      }
      return new DemoIssuer(ec);
    } catch (ParseException e) {
      throw new IOException(privateKeyFile + ": not a JWK", e);
    }
  }

  /** Mints a token for a subject with roles and organisations, valid for {@code ttl}. */
  public String mint(String subject, List<String> roles, List<String> orgs, Duration ttl) {
    long now = System.currentTimeMillis();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .subject(subject)
            .issueTime(new Date(now))
            .expirationTime(new Date(now + ttl.toMillis()))
            .claim("roles", roles)
            .claim("orgs", orgs)
            .build();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
    try {
      jwt.sign(new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("demo token signing failed", e);
    }
    return jwt.serialize();
  }
}
