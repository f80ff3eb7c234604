package dev.bulwark.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.identity.Caller;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The {@code mfa} atom: held only when the verified token's {@code amr} names a second factor. */
class MfaAtomTest {
  private static final AccessRule.Values NONE = AccessRule.values(Map.of(), q -> "");

  private static Caller withAmr(List<String> amr) {
    return new Caller(
        "acct", "bulwark", Set.of(), Set.of(), Set.of(), Map.of("amr", amr), Long.MAX_VALUE);
  }

  private static AccessRule mfa() {
    AccessRule r = RouteAccess.atom("mfa");
    assertThat(r).as("mfa is an atom").isNotNull();
    return java.util.Objects.requireNonNull(r);
  }

  @Test
  void aPasswordAloneDoesNotSatisfyMfa() {
    assertThat(mfa().allows(withAmr(List.of("pwd")), NONE)).isFalse();
  }

  @Test
  void aTokenWithoutAmrDoesNotSatisfyMfa() {
    Caller none = new Caller("acct", "x", Set.of(), Set.of(), Set.of(), Map.of(), Long.MAX_VALUE);
    assertThat(mfa().allows(none, NONE)).isFalse();
  }

  @Test
  void lookAlikeOrCasedMethodsDoNotSatisfyMfa() {
    assertThat(mfa().allows(withAmr(List.of("pwd", "OTP", "otp ", "mfa2", "sms")), NONE)).isFalse();
  }

  @Test
  void anyRecognisedSecondFactorSatisfiesMfa() {
    for (String m : List.of("otp", "hwk", "swk", "mfa")) {
      assertThat(mfa().allows(withAmr(List.of("pwd", m)), NONE)).as(m).isTrue();
    }
  }

  @Test
  void mfaIsWrittenBackAsItWasConfigured() {
    assertThat(mfa().describe()).isEqualTo("mfa");
  }
}
