package dev.bulwark.identity.totp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * TOTP codes against RFC 6238's test vectors and Debian's {@code oathtool}, and the verifier's
 * window: a replayed code refused, one step either side accepted, two refused, malformed input
 * refused without computing.
 */
class TotpTest {
  /** RFC 6238 appendix B's SHA-1 key: the ASCII of "12345678901234567890". */
  private static final byte[] RFC_KEY = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

  private final TotpVerifier verifier = new TotpVerifier(TotpSettings.DEFAULTS);
  private final TotpSecret secret = TotpSecret.generate(new SecureRandom());

  @Test
  void malformedCodesAreRefusedAsSuch() {
    Instant now = Instant.ofEpochSecond(1_700_000_000L);
    for (String code :
        List.of("", "12345", "1234567", "12a456", " 12345", "١٢٣٤٥٦", "123456\u0000")) {
      assertThat(verifier.verify(secret, code, now, TotpVerifier.NEVER).outcome())
          .as(code)
          .isEqualTo(TotpCheck.Outcome.MALFORMED);
    }
  }

  @Test
  void aCodeReplayedInsideItsWindowIsRefused() {
    Instant now = Instant.ofEpochSecond(1_700_000_000L);
    long step = Totp.step(now);
    String code = Totp.code(secret, step);
    TotpCheck first = verifier.verify(secret, code, now, TotpVerifier.NEVER);
    assertThat(first.accepted()).isTrue();
    assertThat(first.step()).isEqualTo(step);
    TotpCheck again = verifier.verify(secret, code, now.plusSeconds(10), first.step());
    assertThat(again.outcome()).isEqualTo(TotpCheck.Outcome.REPLAYED);
    assertThat(again.step()).isEqualTo(step); // nothing new to store
    // An older code, still inside the skew, is refused once a newer one was used.
    String previous = Totp.code(secret, step - 1);
    assertThat(verifier.verify(secret, previous, now, first.step()).outcome())
        .isEqualTo(TotpCheck.Outcome.REPLAYED);
    // The next step's code is still good, once.
    String next = Totp.code(secret, step + 1);
    TotpCheck later = verifier.verify(secret, next, now.plusSeconds(30), first.step());
    assertThat(later.accepted()).isTrue();
    assertThat(later.step()).isEqualTo(step + 1);
  }

  @Test
  void oneStepEitherSideIsAcceptedAndTwoAreNot() {
    Instant now = Instant.ofEpochSecond(1_700_000_015L);
    long step = Totp.step(now);
    for (int offset = -1; offset <= 1; offset++) {
      TotpCheck c =
          verifier.verify(secret, Totp.code(secret, step + offset), now, TotpVerifier.NEVER);
      assertThat(c.accepted()).as("offset %d", offset).isTrue();
      assertThat(c.step()).isEqualTo(step + offset);
    }
    for (int offset : new int[] {-2, 2}) {
      String code = Totp.code(secret, step + offset);
      boolean collides = false;
      for (int o = -1; o <= 1; o++) {
        collides |= code.equals(Totp.code(secret, step + o));
      }
      if (!collides) {
        assertThat(verifier.verify(secret, code, now, TotpVerifier.NEVER).outcome())
            .as("offset %d", offset)
            .isEqualTo(TotpCheck.Outcome.WRONG);
      }
    }
    TotpVerifier strict = new TotpVerifier(new TotpSettings("Bulwark", 0));
    String previous = Totp.code(secret, step - 1);
    if (!previous.equals(Totp.code(secret, step))) {
      assertThat(strict.verify(secret, previous, now, TotpVerifier.NEVER).accepted()).isFalse();
    }
  }

  @Test
  void codesMatchRfc6238sTestVectors() {
    long[] times = {59L, 1111111109L, 1111111111L, 1234567890L, 2000000000L, 20000000000L};
    String[] expected = {"94287082", "07081804", "14050471", "89005924", "69279037", "65353130"};
    for (int i = 0; i < times.length; i++) {
      long step = Totp.step(Instant.ofEpochSecond(times[i]));
      assertThat(Totp.code(RFC_KEY, step, 8)).as("T=%d", times[i]).isEqualTo(expected[i]);
      assertThat(Totp.code(TotpSecret.of(RFC_KEY), step))
          .isEqualTo(expected[i].substring(2)); // six digits: the same number mod 10^6
    }
  }

  @Test
  void codesMatchOathtool() throws Exception {
    Path oathtool = Path.of("/usr/bin/oathtool");
    assumeThat(Files.isExecutable(oathtool))
        .as("oathtool is not installed (apt-get install oathtool; .ci/run installs it)")
        .isTrue();
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < 5; i++) {
      TotpSecret s = TotpSecret.generate(random);
      long epoch = 1_000_000_000L + random.nextInt(1_000_000_000);
      Process p =
          new ProcessBuilder(
                  oathtool.toString(), "--totp", "--base32", "--now=@" + epoch, s.base32())
              .redirectErrorStream(true)
              .start();
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(Totp.code(s, Totp.step(Instant.ofEpochSecond(epoch)))).isEqualTo(out);
    }
  }

  @Test
  void secretsAre160RandomBitsInBase32AndNeverPrinted() throws IOException {
    assertThat(secret.bytes()).hasSize(20);
    assertThat(secret.base32()).matches("[A-Z2-7]{32}");
    assertThat(TotpSecret.fromBase32(secret.base32().toLowerCase()).bytes())
        .isEqualTo(secret.bytes());
    assertThat(secret.toString()).doesNotContain(secret.base32());
    assertThat(TotpSecret.generate(new SecureRandom()).base32()).isNotEqualTo(secret.base32());
  }
}
