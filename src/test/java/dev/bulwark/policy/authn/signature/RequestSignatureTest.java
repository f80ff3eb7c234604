package dev.bulwark.policy.authn.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.policy.authn.signature.StructuredFields.Malformed;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The {@code Signature-Input} and {@code Signature} parser, pinned: each malformed pair is refused
 * with the same reason, and each well-formed one (canonical or not) gives the same parameters and
 * the same {@code @signature-params} line in the signature base.
 */
class RequestSignatureTest {
  private static final String SIG = "sig1=:" + "A".repeat(43) + "=:";

  private static final MessageComponents GET =
      new MessageComponents() {
        @Override
        public String method() {
          return "GET";
        }

        @Override
        public String scheme() {
          return "https";
        }

        @Override
        public String authority() {
          return "api.example.com";
        }

        @Override
        public String path() {
          return "/hello.json";
        }

        @Override
        public @Nullable String query() {
          return null;
        }

        @Override
        public List<String> header(String name) {
          return switch (name) {
            case "accept" -> List.of("*/*");
            case "x-two" -> List.of(" a ", "b\t");
            case "x-latin" -> List.of("caf\u00e9");
            case "x-break" -> List.of("a\nb");
            case "x-big" -> List.of("v".repeat(40_000));
            default -> List.of();
          };
        }
      };

  private static List<RequestSignature> parse(String input, String signature) throws Malformed {
    return RequestSignature.parse(List.of(input), List.of(signature), 4096, 4);
  }

  @Test
  void malformedPairsAreRefusedWithTheirReason() {
    String[][] cases = {
      // input, signature, reason
      {"sig1=(\"@method\";created=1", SIG, "expected ' ' or ')' in an inner list"},
      {"sig1=(\"@method\");created=1", "sig2=:AAAA:", "name different labels"},
      {"sig1=(\"@method\");created=1, sig1=(\"@path\")", SIG, "member sig1 given twice"},
      {"sig1=(\"@method\");created=1,", SIG, "trailing comma"},
      {"sig1=(\"@method\");created=1 ,sig2=()", SIG, "name different labels"},
      {"sig1=(@method);created=1", SIG, "unexpected character"},
      {"sig1=(\"@method\");created=1", "sig1=:A$AA:", "not base64 in a byte sequence"},
      {"sig1=(\"@method\");created=1", "sig1=:A:", "malformed base64"},
      {"sig1=(\"@method\");created=1", "sig1=:AAAA", "unterminated byte sequence"},
      {"sig1=(\"@method\");created=1", "sig1=\"AAAA\"", "Signature member sig1 is not a byte"},
      {"sig1=(\"@method\");created=1", "sig1=(:AAAA:)", "Signature member sig1 is not a byte"},
      {"sig1=(\"@method\");created=1", "sig1", "Signature member sig1 is not a byte"},
      {"sig1=:AAAA:", SIG, "Signature-Input member sig1 is not an inner list"},
      {"sig1", SIG, "Signature-Input member sig1 is not an inner list"},
      {"sig1=\"@method\"", SIG, "Signature-Input member sig1 is not an inner list"},
      {"sig1=(\"@method\";sf);created=1", SIG, "component parameters"},
      {"sig1=(\"@method\" 1);created=1", SIG, "a covered component of sig1 is not a string"},
      {"sig1=(\"@method\" tok);created=1", SIG, "a covered component of sig1 is not a string"},
      {"sig1=(\"@method\");created=\"1\"", SIG, "parameter created is not an integer"},
      {"sig1=(\"@method\");created=1.5", SIG, "parameter created is not an integer"},
      {"sig1=(\"@method\");created", SIG, "parameter created is not an integer"},
      {"sig1=(\"@method\");expires=x", SIG, "parameter expires is not an integer"},
      {"sig1=(\"@method\");keyid=bench", SIG, "parameter keyid is not a string"},
      {"sig1=(\"@method\");nonce=1", SIG, "parameter nonce is not a string"},
      {"sig1=(\"@method\");alg=?1", SIG, "parameter alg is not a string"},
      {"sig1=(\"@method\");tag=:AAAA:", SIG, "parameter tag is not a string"},
      {"sig1=(\"@method\");created=1;created=2", SIG, "parameter created given twice"},
      {"sig1=(\"@method\");created=1234567890123456", SIG, "number too long"},
      {"sig1=(\"@method\");created=-", SIG, "malformed number"},
      {"sig1=(\"@method\");keyid=\"a\\b\"", SIG, "bad escape"},
      {"sig1=(\"@method\");keyid=\"caf\u00e9\"", SIG, "control or non-ASCII"},
      {"sig1=(\"@method\");keyid=\"open", SIG, "unterminated string"},
      {"Sig1=(\"@method\")", SIG, "expected a lower-case key"},
      {"sig1=(\"@method\");Created=1", SIG, "expected a lower-case key"},
      {"", SIG, "empty dictionary"},
      {"   ", SIG, "empty dictionary"},
      {"a=(), b=(), c=(), d=(), e=()", SIG, "more than 4 members"},
      {"sig1=(\"a\" \"b\")x", SIG, "expected ','"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> parse(c[0], c[1]))
          .as(c[0] + " / " + c[1])
          .isInstanceOf(Malformed.class)
          .hasMessageContaining(c[2]);
    }
  }

  @Test
  void missingOrOversizedHeadersAreRefused() {
    assertThatThrownBy(() -> RequestSignature.parse(List.of(), List.of(SIG), 4096, 4))
        .isInstanceOf(Malformed.class)
        .hasMessage("missing");
    assertThatThrownBy(
            () -> RequestSignature.parse(List.of("sig1=(\"@method\")"), List.of(), 4096, 4))
        .isInstanceOf(Malformed.class)
        .hasMessage("missing");
    assertThatThrownBy(
            () ->
                RequestSignature.parse(
                    List.of("sig1=(" + "\"x-a\" ".repeat(20) + ")"), List.of(SIG), 64, 4))
        .isInstanceOf(Malformed.class)
        .hasMessageContaining("longer than 64 characters");
    assertThatThrownBy(
            () ->
                RequestSignature.parse(
                    List.of("sig1=(\"x\")", "x".repeat(60)), List.of(SIG), 64, 4))
        .isInstanceOf(Malformed.class)
        .hasMessageContaining("longer than 64 characters");
  }

  @Test
  void aCanonicalInputGivesItsParametersAndItsOwnTextAsSignatureParams() throws Exception {
    String members =
        "(\"@method\" \"@path\");created=1733612345;expires=1733615945;nonce=\"n-1\""
            + ";keyid=\"bench\";alg=\"hmac-sha256\";tag=\"app\"";
    RequestSignature s = parse("sig1=" + members, SIG).get(0);
    assertThat(s.label()).isEqualTo("sig1");
    assertThat(s.covered()).containsExactly("@method", "@path");
    assertThat(s.created()).isEqualTo(1733612345L);
    assertThat(s.expires()).isEqualTo(1733615945L);
    assertThat(s.nonce()).isEqualTo("n-1");
    assertThat(s.keyId()).isEqualTo("bench");
    assertThat(s.alg()).isEqualTo("hmac-sha256");
    assertThat(s.tag()).isEqualTo("app");
    assertThat(s.signature()).hasSize(32).containsOnly(0);
    assertThat(base(s))
        .isEqualTo(
            "\"@method\": GET\n\"@path\": /hello.json\n" + "\"@signature-params\": " + members);
  }

  @Test
  void aNonCanonicalInputIsSerializedCanonicallyInTheBase() throws Exception {
    RequestSignature s =
        parse(
                "  other=(\"accept\");created=1 ,\tsig1=(  \"@method\"   \"x-two\" );  created=0012"
                    + ";keyid=\"a\\\"b\\\\c\";flag=?1;off=?0;d=1.50;e=-0.0;t=tok/x;b=:AAE=:;n=-007",
                "sig1=:AAAA:, other=:AAAA:")
            .get(1);
    assertThat(s.label()).isEqualTo("sig1");
    assertThat(s.created()).isEqualTo(12L);
    assertThat(s.keyId()).isEqualTo("a\"b\\c");
    assertThat(base(s))
        .isEqualTo(
            "\"@method\": GET\n\"x-two\": a, b\n\"@signature-params\": (\"@method\" \"x-two\")"
                + ";created=12;keyid=\"a\\\"b\\\\c\";flag;off=?0;d=1.5;e=0.0;t=tok/x;b=:AAE=:;n=-7");
  }

  @Test
  void headerLinesAreJoinedAndNonAsciiValuesAreUtf8() throws Exception {
    List<RequestSignature> all =
        RequestSignature.parse(
            List.of("sig1=(\"x-latin\" \"accept\")", "sig2=(\"@method\");keyid=\"k\""),
            List.of("sig2=:AAAA:", "sig1=:AAAA:"),
            4096,
            4);
    assertThat(all).extracting(RequestSignature::label).containsExactly("sig1", "sig2");
    byte[] base = SignatureBase.of(all.get(0), GET);
    assertThat(new String(base, StandardCharsets.UTF_8))
        .isEqualTo(
            "\"x-latin\": caf\u00e9\n\"accept\": */*\n\"@signature-params\":"
                + " (\"x-latin\" \"accept\")");
  }

  @Test
  void aComponentWithALineBreakARepeatedOneOrAnAbsentOneIsUnusable() throws Exception {
    for (String[] c :
        new String[][] {
          {"(\"x-break\")", "component x-break holds a line break"},
          {"(\"@method\" \"@method\")", "component @method covered twice"},
          {"(\"x-none\")", "covered header x-none is absent"},
          {"(\"@status\")", "unsupported derived component @status"},
          {"(\"X-Two\")", "not a lower-case header field name: X-Two"},
          {"(\"\")", "not a lower-case header field name: "},
        }) {
      RequestSignature s = parse("sig1=" + c[0], SIG).get(0);
      assertThatThrownBy(() -> SignatureBase.of(s, GET))
          .as(c[0])
          .isInstanceOf(SignatureBase.Unusable.class)
          .hasMessage(c[1]);
    }
  }

  @Test
  void aBaseAfterAHugeOneIsWholeAndTheThreadKeepsNoHugeBuffer() throws Exception {
    RequestSignature big = parse("sig1=(\"x-big\" \"@method\")", SIG).get(0);
    RequestSignature small = parse("sig1=(\"@method\" \"@path\");created=1", SIG).get(0);
    assertThat(base(big))
        .isEqualTo(
            "\"x-big\": "
                + "v".repeat(40_000)
                + "\n\"@method\": GET\n\"@signature-params\": (\"x-big\" \"@method\")");
    SignatureBase.Bytes b = SignatureBase.build(small, GET);
    assertThat(b.array().length).isLessThanOrEqualTo(16 * 1024);
    assertThat(new String(b.toByteArray(), StandardCharsets.UTF_8))
        .isEqualTo(
            "\"@method\": GET\n\"@path\": /hello.json\n"
                + "\"@signature-params\": (\"@method\" \"@path\");created=1");
  }

  private static String base(RequestSignature s) throws SignatureBase.Unusable {
    return new String(SignatureBase.of(s, GET), StandardCharsets.UTF_8);
  }
}
