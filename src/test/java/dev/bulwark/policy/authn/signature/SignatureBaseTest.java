package dev.bulwark.policy.authn.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The signature base against RFC 9421's own example (Appendix B.2.6, the published Ed25519 test
 * public key and signature), and the Structured Fields rules a strict parser must keep.
 */
class SignatureBaseTest {
  /** RFC 9421 Appendix B.1.4's public key (a published test value, not a secret). */
  private static final String RFC_ED25519_PUBLIC =
      "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n"
          + "-----END PUBLIC KEY-----\n";

  /** The B.2 test request, as far as B.2.6's components see it. */
  private static final MessageComponents RFC_REQUEST =
      new MessageComponents() {
        @Override
        public String method() {
          return "POST";
        }

        @Override
        public String scheme() {
          return "https";
        }

        @Override
        public String authority() {
          return "example.com";
        }

        @Override
        public String path() {
          return "/foo";
        }

        @Override
        public @Nullable String query() {
          return "param=Value&Pet=dog";
        }

        @Override
        public List<String> header(String name) {
          return switch (name) {
            case "date" -> List.of("Tue, 20 Apr 2021 02:07:55 GMT");
            case "content-type" -> List.of("application/json");
            case "content-length" -> List.of("18");
            default -> List.of();
          };
        }
      };

  @Test
  void theRfcEd25519ExampleVerifies() throws Exception {
    List<RequestSignature> sigs =
        RequestSignature.parse(
            List.of(
                "sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\""
                    + " \"content-length\");created=1618884473;keyid=\"test-key-ed25519\""),
            List.of(
                "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:"),
            4096,
            4);
    RequestSignature s = sigs.get(0);
    byte[] base = SignatureBase.of(s, RFC_REQUEST);
    assertThat(new String(base, StandardCharsets.UTF_8))
        .isEqualTo(
            "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n"
                + "\"@method\": POST\n"
                + "\"@path\": /foo\n"
                + "\"@authority\": example.com\n"
                + "\"content-type\": application/json\n"
                + "\"content-length\": 18\n"
                + "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\""
                + " \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\"");
    Key key = SignatureAlgorithm.ED25519.verificationKey(RFC_ED25519_PUBLIC);
    assertThat(SignatureAlgorithm.ED25519.verify(key, base, s.signature())).isTrue();
    base[base.length - 2] ^= 1;
    assertThat(SignatureAlgorithm.ED25519.verify(key, base, s.signature())).isFalse();
  }

  @Test
  void derivedComponentsFollowTheRfc() throws Exception {
    StructuredFields.InnerList input =
        SignatureBase.input(
            List.of("@target-uri", "@request-target", "@query", "@scheme"), Map.of("created", 1L));
    String base =
        new String(
            SignatureBase.of(
                input.items().stream().map(i -> (String) i.value()).toList(), input, RFC_REQUEST),
            StandardCharsets.UTF_8);
    assertThat(base)
        .startsWith(
            "\"@target-uri\": https://example.com/foo?param=Value&Pet=dog\n"
                + "\"@request-target\": /foo?param=Value&Pet=dog\n"
                + "\"@query\": ?param=Value&Pet=dog\n"
                + "\"@scheme\": https\n");
  }

  @Test
  void anAbsentCoveredHeaderOrAnUnsupportedComponentIsUnusable() {
    StructuredFields.InnerList input = SignatureBase.input(List.of("x-missing"), Map.of());
    assertThatThrownBy(() -> SignatureBase.of(List.of("x-missing"), input, RFC_REQUEST))
        .hasMessageContaining("covered header x-missing is absent");
    assertThatThrownBy(() -> SignatureBase.of(List.of("@status"), input, RFC_REQUEST))
        .hasMessageContaining("unsupported derived component @status");
    assertThatThrownBy(() -> SignatureBase.of(List.of("Date"), input, RFC_REQUEST))
        .hasMessageContaining("not a lower-case header field name");
  }

  @Test
  void theParserIsStrictAndBounded() {
    String[] bad = {
      "a=1, a=2",
      "a=1,",
      "a=(1 2",
      "a=\"unterminated",
      "a=\"bad\\escape\"",
      "a=:not base64!:",
      "A=1",
      "a=1;p;p",
      "a=1234567890123456",
      "a=1.2345",
      "",
    };
    for (String b : bad) {
      assertThatThrownBy(() -> StructuredFields.dictionary(b, 1000, 10))
          .as(b)
          .isInstanceOf(StructuredFields.Malformed.class);
    }
    assertThatThrownBy(() -> StructuredFields.dictionary("a=1, b=2, c=3", 1000, 2))
        .hasMessageContaining("more than 2 members");
  }

  @Test
  void innerListsRoundTrip() throws Exception {
    String text = "(\"@method\" \"content-digest\");created=1;keyid=\"a\\\"b\";flag;d=1.5;t=tok/x";
    Map<String, Object> d = StructuredFields.dictionary("s=" + text, 1000, 4);
    assertThat(
            StructuredFields.serialize(
                (StructuredFields.InnerList) java.util.Objects.requireNonNull(d.get("s"))))
        .isEqualTo(text);
  }

  @Test
  void contentDigestChecksSha256AndSha512() {
    byte[] body = "{\"hello\": \"world\"}".getBytes(StandardCharsets.UTF_8);
    // RFC 9530 section 2's example digest of this body
    assertThat(ContentDigest.of(body, "sha-256"))
        .isEqualTo("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:");
    assertThat(ContentDigest.check(List.of(ContentDigest.of(body, "sha-512")), body))
        .isEqualTo(ContentDigest.Check.MATCH);
    assertThat(
            ContentDigest.check(
                List.of(
                    ContentDigest.of(body, "sha-256"), ContentDigest.of(new byte[1], "sha-512")),
                body))
        .isEqualTo(ContentDigest.Check.MISMATCH);
    assertThat(ContentDigest.check(List.of("sha-256=1"), body))
        .isEqualTo(ContentDigest.Check.MALFORMED);
  }

  @Test
  void keysAreBoundToTheirAlgorithm() throws Exception {
    assertThatThrownBy(() -> SignatureAlgorithm.HMAC_SHA256.verificationKey(RFC_ED25519_PUBLIC))
        .hasMessageContaining("a PEM block");
    assertThatThrownBy(() -> SignatureAlgorithm.HMAC_SHA256.verificationKey("short"))
        .hasMessageContaining("5 bytes (expected: at least 32)");
    assertThatThrownBy(
            () -> SignatureAlgorithm.ECDSA_P256_SHA256.verificationKey(RFC_ED25519_PUBLIC))
        .hasMessageContaining("not a P-256 public key");
    java.security.KeyPair ed =
        java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    String priv =
        "-----BEGIN PRIVATE KEY-----\n"
            + java.util.Base64.getEncoder().encodeToString(ed.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
    assertThatThrownBy(() -> SignatureAlgorithm.ED25519.verificationKey(priv))
        .hasMessageContaining("a private key");
  }
}
