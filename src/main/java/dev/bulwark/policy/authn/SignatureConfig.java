package dev.bulwark.policy.authn;

import dev.bulwark.config.ConfigNode;
import dev.bulwark.config.IssuerlessCredential;
import dev.bulwark.policy.authn.signature.SignatureAlgorithm;
import dev.bulwark.policy.authn.signature.SignatureBase;
import dev.bulwark.policy.authn.signature.StructuredFields;
import java.security.Key;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A route's {@code auth.signature}: the keys that may sign its requests (each bound to one
 * algorithm, from a secret reference), the components every signature must cover, the clock skew
 * allowed around {@code created}, whether a nonce and a body digest are required, what a nonce
 * store failure means, and the {@code tag} a signature must carry when one is set. {@link #NONE}
 * (no keys) when the route does not ask for signatures.
 */
public record SignatureConfig(
    List<SignatureConfig.SigningKey> keys,
    List<String> covered,
    Duration maxSkew,
    boolean requireNonce,
    boolean requireDigest,
    boolean denyOnStoreFailure,
    String tag)
    implements IssuerlessCredential {

  /** One key a client signs with: its id ({@code keyid}), the subject it proves, its algorithm. */
  public record SigningKey(String id, String subject, SignatureAlgorithm algorithm, Key key) {}

  /** No signatures on the route. */
  public static final SignatureConfig NONE =
      new SignatureConfig(List.of(), List.of(), Duration.ofSeconds(60), true, true, true, "");

  /** The components covered when {@code covered} is not given. */
  public static final List<String> DEFAULT_COVERED = List.of("@method", "@target-uri");

  static final int MAX_KEYS = 16;
  static final Set<String> KEYS =
      Set.of(
          "keys",
          "covered",
          "max-skew",
          "require-nonce",
          "require-digest",
          "on-store-failure",
          "tag");
  static final Set<String> KEY_KEYS = Set.of("id", "alg", "key", "subject");

  public SignatureConfig {
    keys = List.copyOf(keys);
    covered = List.copyOf(covered);
  }

  /** Returns whether the route asks for signed requests. */
  public boolean enabled() {
    return !keys.isEmpty();
  }

  @Override
  public boolean authenticatesWithoutIssuer() {
    return enabled();
  }

  /** Reads {@code auth.signature} (absent: {@link #NONE}). */
  static SignatureConfig read(ConfigNode n) {
    if (!n.present() || !n.expectMapping(KEYS)) {
      return NONE;
    }
    List<SigningKey> keys = keys(n.get("keys"));
    List<String> covered = covered(n.get("covered"));
    Duration skew =
        n.get("max-skew")
            .duration(Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofHours(1));
    if (skew.compareTo(Duration.ofMinutes(5)) > 0) {
      n.get("max-skew")
          .warning(
              skew.toSeconds()
                  + "s: a captured signature stays usable that long (nonces are remembered as"
                  + " long, too)");
    }
    boolean nonce = n.get("require-nonce").bool(true);
    if (!nonce) {
      n.get("require-nonce")
          .warning("false: a signature without a nonce can be replayed within max-skew");
    }
    boolean digest = n.get("require-digest").bool(true);
    if (!digest) {
      n.get("require-digest")
          .warning("false: a body need not be covered, so a signed request's body can be swapped");
    }
    boolean deny = failureMode(n.get("on-store-failure"));
    String tag = "";
    ConfigNode t = n.get("tag");
    if (t.present()) {
      String s = t.string("a tag such as my-api");
      if (s == null || s.isEmpty() || s.length() > 64 || !StructuredFields.printable(s)) {
        t.invalid("a tag of 1 to 64 printable ASCII characters");
      } else {
        tag = s;
      }
    }
    if (keys.isEmpty()) {
      return NONE; // errors were reported
    }
    return new SignatureConfig(keys, covered, skew, nonce, digest, deny, tag);
  }

  private static boolean failureMode(ConfigNode n) {
    String mode = n.string("deny or allow");
    if (mode == null || mode.equals("deny")) {
      return true;
    }
    if (mode.equals("allow")) {
      n.warning(
          "allow: while the nonce store is unreachable a replayed signature is accepted"
              + " (the strict choice is deny)");
      return false;
    }
    n.invalid("deny or allow");
    return true;
  }

  private static List<SigningKey> keys(ConfigNode list) {
    List<ConfigNode> elements = list.elements();
    if (!list.present() || elements.isEmpty() || elements.size() > MAX_KEYS) {
      list.invalid(
          "a list of 1 to "
              + MAX_KEYS
              + " keys such as { id: client-a, alg: hmac-sha256, key: ${env:CLIENT_A_KEY} }");
      return List.of();
    }
    List<SigningKey> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (ConfigNode k : elements) {
      if (!k.expectMapping(KEY_KEYS)) {
        continue;
      }
      String id = k.get("id").requiredString("a key id such as client-a");
      if (id != null && !id.matches("[A-Za-z0-9._@-]{1,64}")) {
        k.get("id").invalid("1 to 64 letters, digits, '.', '_', '@' or '-'");
        id = null;
      } else if (id != null && !ids.add(id)) {
        k.get("id").error(id + " (expected: each key id once)");
        id = null;
      }
      String subject = k.get("subject").string("a subject such as client-a", id == null ? "x" : id);
      if (!subject.matches("[A-Za-z0-9._@-]{1,64}")) {
        k.get("subject").invalid("1 to 64 letters, digits, '.', '_', '@' or '-'");
      }
      String algName = k.get("alg").requiredString(SignatureAlgorithm.names());
      SignatureAlgorithm alg = algName == null ? null : SignatureAlgorithm.byName(algName);
      if (algName != null && alg == null) {
        k.get("alg").invalid("one of " + SignatureAlgorithm.names());
      }
      ConfigNode keyNode = k.get("key");
      String raw = keyNode.rawText();
      if (raw != null && !raw.contains("${")) {
        keyNode.error(
            "literal key (expected: a reference such as ${env:CLIENT_A_KEY} or"
                + " ${file:/etc/bulwark/client-a.pub.pem})");
        continue;
      }
      String text = keyNode.requiredString("a secret reference such as ${env:CLIENT_A_KEY}");
      if (id == null || alg == null || text == null) {
        continue;
      }
      try {
        out.add(new SigningKey(id, "sig:" + subject, alg, alg.verificationKey(text)));
      } catch (IllegalArgumentException e) {
        keyNode.error(e.getMessage() + " (alg: " + alg.registryName() + ")");
      }
    }
    return out.size() == elements.size() ? out : List.of();
  }

  private static List<String> covered(ConfigNode n) {
    if (!n.present()) {
      return DEFAULT_COVERED;
    }
    List<String> out = new ArrayList<>();
    for (ConfigNode c : n.elements()) {
      String s = c.string("a component such as @method or content-digest");
      if (s == null) {
        continue;
      }
      String problem = SignatureBase.problem(s);
      if (problem != null) {
        c.invalid(
            "a lower-case header name or one of "
                + String.join(", ", SignatureBase.DERIVED)
                + " ("
                + problem
                + ")");
      } else if (out.contains(s)) {
        c.error(s + " (expected: each component once)");
      } else {
        out.add(s);
      }
    }
    if (!out.contains("@method")) {
      n.warning("no @method: a signature for one method is accepted with another");
    }
    if (!out.contains("@target-uri")
        && !out.contains("@path")
        && !out.contains("@request-target")) {
      n.warning(
          "none of @target-uri, @request-target or @path: a signature for one path is accepted on"
              + " another");
    }
    return out;
  }
}
