package dev.bulwark.policy.authn.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.policy.authn.signature.StructuredFields.InnerList;
import dev.bulwark.policy.authn.signature.StructuredFields.Malformed;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Strings and parameters of the Structured Fields parser, on its fast and its escaping paths. */
class StructuredFieldsTest {
  @Test
  void aPlainStringAndAnEscapedOneReadTheSame() throws Malformed {
    Map<String, Object> d =
        StructuredFields.dictionary(
            "a=(\"x\");nonce=\"n-1\", b=(\"y\");nonce=\"q\\\"\\\\z\"", 200, 4);

    assertThat(inner(d, "a").params()).containsEntry("nonce", "n-1");
    assertThat(inner(d, "b").params()).containsEntry("nonce", "q\"\\z");
    assertThat(StructuredFields.serialize(inner(d, "b"))).isEqualTo("(\"y\");nonce=\"q\\\"\\\\z\"");
  }

  @Test
  void aStringWithAControlOrNonAsciiCharacterOrNoEndIsRefused() {
    assertThatThrownBy(() -> StructuredFields.dictionary("a=\"x\ty\"", 200, 4))
        .isInstanceOf(Malformed.class)
        .hasMessageContaining("control or non-ASCII");
    assertThatThrownBy(() -> StructuredFields.dictionary("a=\"caf\u00e9\"", 200, 4))
        .isInstanceOf(Malformed.class)
        .hasMessageContaining("control or non-ASCII");
    assertThatThrownBy(() -> StructuredFields.dictionary("a=\"open", 200, 4))
        .isInstanceOf(Malformed.class)
        .hasMessageContaining("unterminated");
    assertThatThrownBy(() -> StructuredFields.dictionary("a=\"bad\\escape\"", 200, 4))
        .isInstanceOf(Malformed.class)
        .hasMessageContaining("bad escape");
  }

  @Test
  void itemsWithoutParametersHaveEmptyUnmodifiableOnes() throws Malformed {
    InnerList l = inner(StructuredFields.dictionary("a=(\"x\" \"y\")", 200, 4), "a");

    assertThat(l.params()).isEmpty();
    assertThat(l.items()).allSatisfy(i -> assertThat(i.params()).isEmpty());
    assertThatThrownBy(() -> l.params().put("k", 1L))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  private static InnerList inner(Map<String, Object> d, String key) {
    return (InnerList) java.util.Objects.requireNonNull(d.get(key), key);
  }
}
