package dev.bulwark.identity.totp;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Recovery codes: issued readable, stored hashed, each accepted once. */
class RecoveryCodesTest {
  private final RecoveryCodes.Issued issued = RecoveryCodes.issue(new SecureRandom());

  @Test
  void aReusedCodeIsRefused() {
    String code = issued.codes().get(3);
    RecoveryCodes.Redemption first = RecoveryCodes.redeem(issued.hashes(), code);
    assertThat(first.accepted()).isTrue();
    assertThat(first.remaining()).hasSize(9).doesNotContain(issued.hashes().get(3));
    RecoveryCodes.Redemption again = RecoveryCodes.redeem(first.remaining(), code);
    assertThat(again.accepted()).isFalse();
    assertThat(again.remaining()).isEqualTo(first.remaining());
  }

  @Test
  void garbageAndNearMissesAreRefused() {
    String code = issued.codes().get(0);
    char last = code.charAt(code.length() - 1);
    String nearMiss = code.substring(0, code.length() - 1) + (last == 'Z' ? 'Y' : 'Z');
    for (String input :
        List.of(
            "",
            "-",
            "x".repeat(10_000),
            code + "0",
            nearMiss,
            code.replace('-', '\u0000'),
            "ı".repeat(16))) {
      assertThat(RecoveryCodes.redeem(issued.hashes(), input).accepted()).isFalse();
    }
  }

  @Test
  void codesAreTenDistinctGroupedAndStoredOnlyHashed() {
    assertThat(issued.codes()).hasSize(RecoveryCodes.COUNT);
    assertThat(new HashSet<>(issued.codes())).hasSize(RecoveryCodes.COUNT);
    for (String c : issued.codes()) {
      assertThat(c).matches("[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}");
    }
    for (String h : issued.hashes()) {
      assertThat(h).matches("[0-9a-f]{64}");
      for (String c : issued.codes()) {
        assertThat(h).doesNotContain(c.replace("-", "").toLowerCase());
      }
    }
    assertThat(issued.toString()).doesNotContain(issued.codes().get(0));
  }

  @Test
  void whatTheUserTypesIsReadForgivingly() {
    String code = issued.codes().get(5);
    String typed = code.replace("-", " ").toLowerCase().replace('0', 'o').replace('1', 'l');
    assertThat(RecoveryCodes.redeem(issued.hashes(), typed).accepted()).isTrue();
  }
}
