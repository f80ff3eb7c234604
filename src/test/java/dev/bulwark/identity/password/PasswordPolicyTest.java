package dev.bulwark.identity.password;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The local password checks, hostile input first: every verdict's reasons are words for the user
 * and never contain the password.
 */
class PasswordPolicyTest {
  private static final String LOGIN = "alice.smith@example.com";
  private static final String STRONG = "velvet harbor quantum tulips";

  private final PasswordPolicy policy =
      new PasswordPolicy(PasswordSettings.DEFAULTS, BreachedPasswords.NONE, null);

  private PasswordVerdict check(String password) {
    PasswordVerdict v = policy.checkLocally(password, LOGIN);
    for (String reason : v.reasons()) {
      if (password.length() >= 4) {
        assertThat(reason).doesNotContain(password);
      }
    }
    return v;
  }

  @Test
  void aTenKilobytePasswordIsRefusedAsTooLongAtOnce() {
    String huge = "Zq7!".repeat(2560);
    long t0 = System.nanoTime();
    PasswordVerdict v = check(huge);
    long elapsedMillis = (System.nanoTime() - t0) / 1_000_000;
    assertThat(v.reasons()).containsExactly("Use at most 128 characters.");
    assertThat(elapsedMillis).isLessThan(1000); // no normalising, scoring or hashing of it
  }

  @Test
  void passwordsWithControlCharactersOrBrokenUnicodeAreRefused() {
    assertThat(check("velvet harbor\u0000quantum tulips").reasons())
        .containsExactly(PasswordPolicy.CONTROL);
    assertThat(check("velvet harbor\u001bquantum tulips").reasons())
        .containsExactly(PasswordPolicy.CONTROL);
    assertThat(check("velvet harbor \ud800 quantum tulips").reasons())
        .containsExactly(PasswordPolicy.BROKEN);
  }

  @Test
  void elevenCharactersAreTooFewAnd129TooMany() {
    assertThat(check("Zq7!mK2@pL9").reasons()).containsExactly("Use at least 12 characters.");
    assertThat(check("Zq7!mK2@pL9#").accepted()).isTrue();
    String max = "Zq7!mK2@pL9#".repeat(11).substring(0, 128);
    assertThat(check(max).accepted()).isTrue();
    assertThat(check(max + "x").reasons()).containsExactly("Use at most 128 characters.");
  }

  @Test
  void lengthIsCountedInCodePointsAfterNfkc() {
    // Twelve emoji are twelve characters (24 UTF-16 units); a fullwidth string counts as ASCII.
    String emoji = "🦊🐙🌵🎻🚲🧭🪁🦉🍉🛶🗝️🎲";
    assertThat(check(emoji).reasons()).doesNotContain("Use at least 12 characters.");
    assertThat(check("ｐａｓｓｗｏｒｄ１２３４５６").reasons()).containsExactly(PasswordPolicy.GUESSABLE);
  }

  @Test
  void theLoginNameOrSomethingCloseToItIsRefused() {
    for (String p :
        List.of(
            "alice.smith@example.com",
            "ALICE.SMITH@EXAMPLE.COM",
            "moc.elpmaxe@htims.ecila",
            "Xq!alice.smith-2024-harbor",
            "a1ice.sm1th",
            "alice.smith!!",
            "ａｌｉｃｅ.ｓｍｉｔｈ-velvet-harbor")) {
      assertThat(check(p).reasons()).as(p).contains(PasswordPolicy.LOGIN);
    }
    assertThat(policy.checkLocally("velvet harbor bob tulips", "bob").accepted()).isTrue();
  }

  @Test
  void commonPasswordsAreRefused() {
    assertThat(check("password123456").reasons()).containsExactly(PasswordPolicy.GUESSABLE);
    assertThat(check("qwertyuiop123").reasons()).containsExactly(PasswordPolicy.GUESSABLE);
    assertThat(check("aaaaaaaaaaaaaaaa").reasons()).containsExactly(PasswordPolicy.GUESSABLE);
    assertThat(check(STRONG).accepted()).isTrue();
  }

  @Test
  void theMinimumScoreIsConfigurable() {
    PasswordSettings lax =
        new PasswordSettings(Argon2Cost.OWASP, 12, 128, 0, null, PwnedRangeSettings.OFF);
    PasswordPolicy anything = new PasswordPolicy(lax, BreachedPasswords.NONE, null);
    assertThat(anything.checkLocally("password123456", LOGIN).accepted()).isTrue();
  }

  @Test
  void aPasswordOnTheOperatorsBreachedListIsRefused() {
    BreachedPasswords list =
        BreachedPasswords.of(List.of("velvet harbor quantum tulips", "# a comment", ""), 0.001);
    PasswordPolicy withList = new PasswordPolicy(PasswordSettings.DEFAULTS, list, null);
    assertThat(withList.checkLocally(STRONG, LOGIN).reasons())
        .containsExactly(PasswordPolicy.BREACHED);
    assertThat(withList.checkLocally("velvet harbor quantum tulip5", LOGIN).accepted()).isTrue();
  }
}
