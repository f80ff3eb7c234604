package dev.bulwark.policy.authn;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.RSAKey;
import dev.bulwark.config.ConfigNode;
import dev.bulwark.config.Units;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * One token issuer the gateway trusts: its {@code iss}, the audiences a token must name, the
 * algorithms it may use, where its keys come from (a JWKS URL, key files, or an HMAC secret), the
 * clock skew, an optional {@code typ}, the largest token, and which claims carry roles, scopes and
 * organisations.
 */
public record IssuerConfig(
    String name,
    String issuer,
    Set<String> audiences,
    Set<JWSAlgorithm> algorithms,
    Keys keys,
    Duration clockSkew,
    @Nullable String typ,
    int maxTokenBytes,
    Claims claims) {

  static final Set<String> KEYS =
      Set.of(
          "issuer",
          "audience",
          "algorithms",
          "jwks",
          "keys",
          "secret",
          "clock-skew",
          "typ",
          "max-token-size",
          "claims",
          "self");
  static final Set<String> SELF_KEYS = Set.of("self", "clock-skew");

  /** The {@code iss} a self issuer has until it is compiled with {@code identity.tokens}. */
  static final String SELF_PLACEHOLDER = "(identity.tokens.issuer)";

  static final Set<String> JWKS_KEYS =
      Set.of("url", "ca", "timeout", "refresh", "max-age", "max-size");
  static final Set<String> CLAIM_KEYS = Set.of("subject", "roles", "scopes", "organisations");
  static final int DEFAULT_MAX_TOKEN = 8 * 1024;

  /** How many HMAC secrets an issuer accepts at once (the current one and older ones). */
  static final int MAX_SECRETS = 4;

  static final Duration DEFAULT_SKEW = Duration.ofSeconds(30);

  private static final Set<JWSAlgorithm> ASYMMETRIC =
      Set.of(
          JWSAlgorithm.RS256,
          JWSAlgorithm.RS384,
          JWSAlgorithm.RS512,
          JWSAlgorithm.PS256,
          JWSAlgorithm.PS384,
          JWSAlgorithm.PS512,
          JWSAlgorithm.ES256,
          JWSAlgorithm.ES384,
          JWSAlgorithm.ES512,
          JWSAlgorithm.EdDSA,
          JWSAlgorithm.Ed25519);
  private static final Set<JWSAlgorithm> HMAC =
      Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);

  public IssuerConfig {
    audiences = Set.copyOf(audiences);
    algorithms = Set.copyOf(algorithms);
  }

  /** Where an issuer's keys come from. */
  public sealed interface Keys {}

  /** A JWKS document fetched over verified TLS, cached, refreshed on unknown {@code kid}. */
  public record Jwks(
      URI url,
      @Nullable String ca,
      Duration timeout,
      Duration refresh,
      Duration maxAge,
      int maxBytes)
      implements Keys {}

  /**
   * The gateway's own token keys ({@code self: true}): {@code iss}, {@code aud} and keys come from
   * {@code identity.tokens}, read from the store's local copy (no fetch).
   */
  public record Local() implements Keys {}

  /** Public keys read from JWK, JWKS or PEM files at load time. */
  public record Static(JWKSet keys) implements Keys {}

  /**
   * Shared HMAC secrets (from secret references): the current one first, then those still accepted
   * while a rotation overlaps (a token signed with any of them verifies).
   */
  public record Secret(List<byte[]> secrets) implements Keys {
    public Secret {
      if (secrets.isEmpty()) {
        throw new IllegalArgumentException("secrets: empty (expected: at least one)");
      }
      List<byte[]> copies = new ArrayList<>(secrets.size());
      for (byte[] b : secrets) {
        copies.add(b.clone());
      }
      secrets = List.copyOf(copies);
    }

    /** One secret, no overlap. */
    public Secret(byte[] secret) {
      this(List.of(secret));
    }

    @Override
    public List<byte[]> secrets() {
      List<byte[]> copies = new ArrayList<>(secrets.size());
      for (byte[] b : secrets) {
        copies.add(b.clone());
      }
      return copies;
    }
  }

  /** The claim names that carry the subject, roles, scopes and organisation memberships. */
  public record Claims(String subject, String roles, String scopes, String organisations) {
    public static final Claims DEFAULTS = new Claims("sub", "roles", "scope", "orgs");
  }

  /** Reads one entry of {@code auth.issuers}. */
  static @Nullable IssuerConfig read(String name, ConfigNode n, Path baseDir) {
    if (!n.expectMapping(KEYS)) {
      if (!n.present()) {
        n.error("missing (expected: a mapping with issuer, audience, algorithms and keys)");
      }
      return null;
    }
    int errors = n.problems().errorCount();
    if (n.get("self").present()) {
      return self(name, n, errors);
    }
    String issuer = n.get("issuer").requiredString("the exact iss of the tokens");
    Set<String> audiences = new LinkedHashSet<>();
    ConfigNode aud = n.get("audience");
    if (!aud.present()) {
      aud.error("missing (expected: the audience tokens must name, such as api.example.com)");
    } else if (aud.isScalar()) {
      String a = aud.string("an audience");
      if (a != null) {
        audiences.add(a);
      }
    } else {
      audiences.addAll(aud.strings("an audience"));
      if (audiences.isEmpty()) {
        aud.invalid("at least one audience");
      }
    }
    Set<JWSAlgorithm> algorithms = algorithms(n.get("algorithms"));
    Keys keys = keys(n, baseDir, algorithms);
    Duration skew =
        n.get("clock-skew").duration(DEFAULT_SKEW, Duration.ZERO, Duration.ofMinutes(5));
    if (skew.compareTo(Duration.ofMinutes(2)) > 0) {
      n.get("clock-skew")
          .warning(Units.formatDuration(skew) + ": expired tokens stay valid that long");
    }
    String typ = n.get("typ").string("a token type such as at+jwt");
    int maxToken = (int) n.get("max-token-size").size(DEFAULT_MAX_TOKEN, 256, 64 * 1024);
    Claims claims = claims(n.get("claims"));
    if (issuer == null || keys == null || n.problems().errorCount() != errors) {
      return null;
    }
    return new IssuerConfig(name, issuer, audiences, algorithms, keys, skew, typ, maxToken, claims);
  }

  /**
   * Reads {@code { self: true }}: the gateway's own access tokens; only {@code clock-skew} may be
   * set beside it (the rest is {@code identity.tokens}').
   */
  private static @Nullable IssuerConfig self(String name, ConfigNode n, int errors) {
    ConfigNode self = n.get("self");
    if (!self.bool(false)) {
      self.invalid("true (or remove it and configure an external issuer)");
      return null;
    }
    for (String k : new TreeSet<>(KEYS)) {
      if (!SELF_KEYS.contains(k) && n.get(k).present()) {
        n.get(k)
            .error(
                "not beside self: true (expected: only clock-skew; the issuer, audience and keys"
                    + " of the gateway's own tokens are set in identity.tokens)");
      }
    }
    Duration skew =
        n.get("clock-skew").duration(DEFAULT_SKEW, Duration.ZERO, Duration.ofMinutes(5));
    if (n.problems().errorCount() != errors) {
      return null;
    }
    return new IssuerConfig(
        name,
        SELF_PLACEHOLDER,
        Set.of(),
        Set.of(JWSAlgorithm.ES256, JWSAlgorithm.EdDSA),
        new Local(),
        skew,
        "at+jwt",
        DEFAULT_MAX_TOKEN,
        Claims.DEFAULTS);
  }

  /** Returns this self issuer with the {@code iss} and {@code aud} of {@code identity.tokens}. */
  IssuerConfig compiledSelf(String iss, String audience) {
    return new IssuerConfig(
        name, iss, Set.of(audience), algorithms, keys, clockSkew, typ, maxTokenBytes, claims);
  }

  private static Set<JWSAlgorithm> algorithms(ConfigNode n) {
    Set<JWSAlgorithm> out = new LinkedHashSet<>();
    if (!n.present()) {
      n.error("missing (expected: the algorithms this issuer signs with, such as [ES256])");
      return out;
    }
    for (ConfigNode e : n.elements()) {
      String s = e.requiredString("an algorithm");
      if (s == null) {
        continue;
      }
      JWSAlgorithm alg = JWSAlgorithm.parse(s);
      if (!ASYMMETRIC.contains(alg) && !HMAC.contains(alg)) {
        e.invalid(
            "one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, HS256,"
                + " HS384, HS512 (never none)");
      } else {
        out.add(alg);
      }
    }
    if (n.elements().isEmpty()) {
      n.invalid("at least one algorithm");
    }
    return out;
  }

  private static @Nullable Keys keys(ConfigNode n, Path baseDir, Set<JWSAlgorithm> algorithms) {
    ConfigNode jwks = n.get("jwks");
    ConfigNode files = n.get("keys");
    ConfigNode secret = n.get("secret");
    int given = (jwks.present() ? 1 : 0) + (files.present() ? 1 : 0) + (secret.present() ? 1 : 0);
    if (given != 1) {
      n.error(
          (given == 0 ? "no keys" : "more than one key source")
              + " (expected: exactly one of jwks, keys or secret)");
      return null;
    }
    boolean hmac = false;
    boolean asymmetric = false;
    for (JWSAlgorithm a : algorithms) {
      hmac |= HMAC.contains(a);
      asymmetric |= ASYMMETRIC.contains(a);
    }
    if (secret.present()) {
      if (asymmetric) {
        n.get("algorithms")
            .error("asymmetric algorithm with a secret (expected: HS256, HS384 or HS512 only)");
      }
      int min =
          algorithms.contains(JWSAlgorithm.HS512)
              ? 64
              : algorithms.contains(JWSAlgorithm.HS384) ? 48 : 32;
      List<ConfigNode> listed =
          secret.isScalar() || secret.isMapping() ? List.of(secret) : secret.elements();
      if (listed.isEmpty() || listed.size() > MAX_SECRETS) {
        secret.invalid(
            "a secret reference, or a list of 1 to "
                + MAX_SECRETS
                + " (the current secret first, then those still accepted while a rotation"
                + " overlaps)");
        return null;
      }
      List<byte[]> secrets = new ArrayList<>();
      for (ConfigNode one : listed) {
        byte[] bytes = hmacSecret(one, min);
        if (bytes != null) {
          secrets.add(bytes);
        }
      }
      return secrets.size() == listed.size() ? new Secret(secrets) : null;
    }
    if (hmac) {
      n.get("algorithms")
          .error(
              "HMAC algorithm with jwks or keys (expected: asymmetric algorithms only; HMAC with a"
                  + " public key is forgeable)");
    }
    if (jwks.present()) {
      return jwks(jwks, baseDir);
    }
    List<ConfigNode> list = files.isScalar() ? List.of(files) : files.elements();
    List<JWK> keys = new ArrayList<>();
    for (ConfigNode f : list) {
      String p = f.requiredString("a JWK, JWKS or PEM public key file");
      if (p == null) {
        continue;
      }
      Path path = baseDir.resolve(p);
      try {
        if (Files.size(path) > 1024 * 1024) {
          f.error(p + ": larger than 1MiB");
          continue;
        }
        String text = Files.readString(path, StandardCharsets.UTF_8);
        List<JWK> read = KeyFiles.parse(text);
        if (read.isEmpty()) {
          f.error(p + ": no public key found (expected: a JWK, a JWKS or a PEM public key)");
        }
        for (JWK k : read) {
          String problem = KeyFiles.problem(k);
          if (problem != null) {
            f.error(p + ": " + problem);
          } else {
            keys.add(k.toPublicJWK());
          }
        }
      } catch (IOException
          | java.text.ParseException
          | com.nimbusds.jose.JOSEException
          | RuntimeException e) {
        f.error(p + ": cannot be read as a key file (" + e.getClass().getSimpleName() + ")");
      }
    }
    if (list.isEmpty()) {
      files.invalid("at least one key file");
    }
    return keys.isEmpty() ? null : new Static(new JWKSet(keys));
  }

  /** Returns one HMAC secret of at least {@code min} bytes, given as a reference, or null. */
  private static byte @Nullable [] hmacSecret(ConfigNode secret, int min) {
    String raw = secret.rawText();
    if (raw != null && !raw.contains("${")) {
      secret.error(
          "literal secret (expected: a reference such as ${env:JWT_SECRET} or ${file:/run/secrets/jwt})");
      return null;
    }
    String s = secret.requiredString("a secret reference such as ${env:JWT_SECRET}");
    if (s == null) {
      return null;
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < min) {
      secret.error(
          bytes.length + " bytes (expected: at least " + min + " bytes for the algorithms listed)");
      return null;
    }
    return bytes;
  }

  private static @Nullable Jwks jwks(ConfigNode n, Path baseDir) {
    ConfigNode urlNode = n.isScalar() ? n : n.get("url");
    if (!n.isScalar() && !n.expectMapping(JWKS_KEYS)) {
      return null;
    }
    String url = urlNode.requiredString("an https URL of a JWKS document");
    URI uri = null;
    if (url != null) {
      try {
        uri = new URI(url);
        if (!"https".equals(uri.getScheme())
            || uri.getHost() == null
            || uri.getUserInfo() != null) {
          urlNode.invalid(
              "an https URL without user info (keys are fetched over verified TLS only)");
          uri = null;
        }
      } catch (java.net.URISyntaxException e) {
        urlNode.invalid("an https URL");
      }
    }
    ConfigNode m = n;
    String ca = m.get("ca").string("a PEM CA bundle file");
    String caPem = null;
    if (ca != null) {
      try {
        caPem = Files.readString(baseDir.resolve(ca), StandardCharsets.UTF_8);
        if (!caPem.contains("-----BEGIN CERTIFICATE-----")) {
          m.get("ca").error(ca + ": no PEM certificate in it");
        }
      } catch (IOException | RuntimeException e) {
        m.get("ca").error(ca + ": cannot be read");
      }
    }
    Duration timeout =
        m.get("timeout")
            .duration(Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(60));
    Duration refresh =
        m.get("refresh")
            .duration(Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofHours(1));
    Duration maxAge =
        m.get("max-age")
            .duration(Duration.ofMinutes(10), Duration.ofSeconds(10), Duration.ofDays(1));
    int maxBytes = (int) m.get("max-size").size(256 * 1024, 1024, 4L * 1024 * 1024);
    return uri == null ? null : new Jwks(uri, caPem, timeout, refresh, maxAge, maxBytes);
  }

  private static Claims claims(ConfigNode n) {
    if (!n.expectMapping(CLAIM_KEYS)) {
      return Claims.DEFAULTS;
    }
    Claims d = Claims.DEFAULTS;
    return new Claims(
        claimName(n.get("subject"), d.subject()),
        claimName(n.get("roles"), d.roles()),
        claimName(n.get("scopes"), d.scopes()),
        claimName(n.get("organisations"), d.organisations()));
  }

  private static String claimName(ConfigNode n, String fallback) {
    String s = n.string("a claim name, or a dotted path such as realm_access.roles", fallback);
    if (!s.matches("[A-Za-z0-9_:/-]{1,64}(\\.[A-Za-z0-9_:/-]{1,64}){0,4}")) {
      n.invalid("a claim name, or a dotted path such as realm_access.roles");
      return fallback;
    }
    return s;
  }

  /** Returns whether RSA keys are at least 2048 bits (checked for static keys and JWKS). */
  static boolean strongEnough(JWK k) {
    return !(k.getKeyType() == KeyType.RSA && ((RSAKey) k).size() < 2048);
  }
}
