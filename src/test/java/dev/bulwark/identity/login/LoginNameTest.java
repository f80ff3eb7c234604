package dev.bulwark.identity.login;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Login names: hostile input refused before any lookup, equivalent forms one name, look-alikes kept
 * apart.
 */
class LoginNameTest {
  private static LoginName ok(String raw) {
    LoginName.Parsed p = LoginName.parse(raw);
    assertThat(p.problem()).as(raw).isNull();
    assertThat(p.name()).isNotNull();
    return java.util.Objects.requireNonNull(p.name());
  }

  private static String refused(String raw) {
    LoginName.Parsed p = LoginName.parse(raw);
    assertThat(p.name()).as(raw).isNull();
    assertThat(p.problem()).isNotNull();
    return java.util.Objects.requireNonNull(p.problem());
  }

  @Test
  void aTenKilobyteNameIsRefusedBeforeAnyNormalisation() {
    assertThat(refused("a".repeat(10 * 1024))).isEqualTo("The login name is too long.");
    // U+FDFA expands to 18 characters under NFKC: the bound after normalisation holds too.
    assertThat(refused("\uFDFA".repeat(20))).isEqualTo("The login name is too long.");
    assertThat(refused("a".repeat(255))).isEqualTo("The login name is too long.");
    assertThat(ok("a".repeat(254)).value()).hasSize(254);
  }

  @Test
  void controlAndInvisibleCharactersAreRefused() {
    for (String raw :
        List.of(
            "alice\u0000",
            "\u0000",
            "al\u0007ice",
            "al\u200Dice", // zero-width joiner
            "al\u200Bice", // zero-width space
            "alice\u202Emoc.evil", // right-to-left override
            "ali\uFEFFce",
            "ali\ud800ce", // lone surrogate
            "alice\uE000")) { // private use
      assertThat(refused(raw)).as(raw).contains("not allowed");
    }
  }

  @Test
  void emptyOrSpacedNamesAreRefused() {
    assertThat(refused("")).isEqualTo("Enter a login name.");
    assertThat(refused("   ")).isEqualTo("Enter a login name.");
    assertThat(refused("alice smith")).contains("spaces");
    assertThat(refused("alice\u3000smith")).contains("spaces");
  }

  @Test
  void mixedScriptSpoofsAreRefused() {
    assertThat(refused("\u0430lice")).contains("different alphabets"); // Cyrillic а in Latin
    assertThat(refused("p\u0430ypal.com")).contains("different alphabets");
    assertThat(refused("al\u03bfce")).contains("different alphabets"); // Greek ο
  }

  @Test
  void equivalentFormsAreOneName() {
    assertThat(ok("  Alice@Example.COM ").value()).isEqualTo("alice@example.com");
    assertThat(ok("ＡＬＩＣＥ").value()).isEqualTo("alice");
    assertThat(ok("STRASSE")).isEqualTo(ok("straße"));
    assertThat(ok("Ame\u0301lie")).isEqualTo(ok("Amélie"));
  }

  @Test
  void wholeNamesInConfusableScriptsAreAcceptedButShareASkeleton() {
    LoginName cyrillic = ok("\u0430\u0441\u0435"); // асе, all Cyrillic
    LoginName latin = ok("ace");
    assertThat(cyrillic).isNotEqualTo(latin);
    assertThat(cyrillic.skeleton()).isEqualTo(latin.skeleton());
    assertThat(ok("rnary").skeleton()).isEqualTo(ok("mary").skeleton());
    assertThat(ok("paypa1").skeleton()).isEqualTo(ok("paypal").skeleton());
    assertThat(ok("bob").skeleton()).isNotEqualTo(ok("rob").skeleton());
  }

  @Test
  void scriptsThatGoTogetherAreAccepted() {
    ok("山田たろう");
    ok("tanaka山田");
    ok("김민준");
    ok("ολγα");
    ok("иван.petrov".replace("petrov", "петров"));
  }
}
