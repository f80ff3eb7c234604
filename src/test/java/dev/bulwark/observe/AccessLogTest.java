package dev.bulwark.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.config.AccessLogConfig;
import dev.bulwark.policy.errors.LoggedBody;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AccessLogTest {
  private static final String[] WORDS = AccessLogConfig.DEFAULT_REDACT.toArray(new String[0]);

  @Test
  void credentialLikeQueryParametersAreRedacted() {
    assertThat(
            AccessLog.redactQuery(
                "/p", "a=1&Token=x&client_secret=y&flag&pAsSwOrD=z&page=2", WORDS))
        .isEqualTo(
            "/p?a=1&Token=[REDACTED]&client_secret=[REDACTED]&flag&pAsSwOrD=[REDACTED]&page=2");
    assertThat(AccessLog.redactQuery("/p", null, WORDS)).isEqualTo("/p");
    assertThat(AccessLog.redactQuery("/p", "%74oken=abc&%zz=1", WORDS))
        .isEqualTo("/p?%74oken=[REDACTED]&%zz=[REDACTED]");
    assertThat(AccessLog.redactQuery("/p", "&&", WORDS)).isEqualTo("/p?&&");
  }

  @Test
  void loggedUpstreamBodiesAreTruncatedEscapedAndRedacted() {
    byte[] body =
        "line1\nAuthorization: Bearer abc\u0007 token=xyz {\"password\":\"p\"}"
            .getBytes(StandardCharsets.UTF_8);
    String logged = LoggedBody.of(body, 1000);
    assertThat(logged)
        .doesNotContain("\n")
        .doesNotContain("xyz")
        .doesNotContain("\"p\"")
        .contains("[REDACTED]");
    assertThat(LoggedBody.of("x".repeat(100).getBytes(StandardCharsets.UTF_8), 10))
        .isEqualTo("xxxxxxxxxx...(100 bytes)");
  }
}
