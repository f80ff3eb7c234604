package dev.bulwark.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Which client request headers a route's upstream never sees, and the untrusted-peer warning. */
class RequestHeaderRulesTest {

  private static RequestHeaderRules rules(List<String> extra, List<String> keep, boolean us) {
    return RequestHeaderRules.compile(extra, keep, us);
  }

  @Test
  void everyListedNameAndPrefixIsStrippedInAnyCase() {
    RequestHeaderRules r = rules(List.of(), List.of(), false);
    for (String n : IdentityHeaders.NAMES) {
      assertThat(r.drops(n)).as(n).isTrue();
      assertThat(r.drops(n.toUpperCase(java.util.Locale.ROOT))).as(n).isTrue();
    }
    for (String p : IdentityHeaders.PREFIXES) {
      assertThat(r.drops(p + "x")).as(p).isTrue();
    }
    assertThat(r.drops("X-Pomerium-Jwt-Assertion")).isTrue();
    assertThat(r.drops("X-MS-CLIENT-PRINCIPAL")).isTrue();
    assertThat(r.drops("X-Auth-Request-Preferred-Username")).isTrue();
  }

  @Test
  void ordinaryHeadersPass() {
    RequestHeaderRules r = rules(List.of(), List.of(), false);
    for (String n :
        List.of(
            "Accept",
            "Authorization",
            "Cookie",
            "Content-Type",
            "X-Trace",
            "X-Users-Count",
            "X-Auth-Token",
            "Remote-Addr-Hint",
            "X-Use",
            "x-webauth",
            "Referer")) {
      assertThat(r.drops(n)).as(n).isFalse();
    }
  }

  @Test
  void authStripHeadersAddToTheListAndKeepHeadersTakeOut() {
    RequestHeaderRules r = rules(List.of("x-tenant-admin"), List.of("Remote-User"), false);
    assertThat(r.drops("X-Tenant-Admin")).isTrue();
    assertThat(r.drops("Remote-User")).isFalse();
    assertThat(r.drops("remote-user")).isFalse();
    assertThat(r.drops("Remote-Groups")).isTrue();
    RequestHeaderRules keepsExtra =
        rules(List.of("x-tenant-admin"), List.of("X-TENANT-ADMIN"), false);
    assertThat(keepsExtra.drops("x-tenant-admin")).isFalse();
  }

  @Test
  void underscoreNamesAreDroppedUnlessForwardedAndTwinsAlwaysAre() {
    RequestHeaderRules drop = rules(List.of(), List.of(), false);
    assertThat(drop.drops("X_Custom")).isTrue();
    assertThat(drop.drops("_")).isTrue();
    RequestHeaderRules forward = rules(List.of("x-tenant"), List.of("Remote-User"), true);
    assertThat(forward.drops("X_Custom")).isFalse();
    for (String twin :
        List.of(
            "X_Forwarded_For",
            "x_forwarded_proto",
            "X_Real_IP",
            "X_Request_Id",
            "Transfer_Encoding",
            "Content_Length",
            "Proxy_Authorization",
            "X_Bulwark_Subject",
            "X_Bulwark_Assertion",
            "X_Remote_User",
            "X_Auth_Request_Email",
            "X_Tenant")) {
      assertThat(forward.drops(twin)).as(twin).isTrue();
    }
    assertThat(forward.drops("Remote_User")).as("the twin of a kept header is kept").isFalse();
  }

  @Test
  void theUntrustedForwardingWarningIsWrittenOncePerIntervalWithTheCountHeldBack() {
    AtomicLong now = new AtomicLong(1_000);
    UntrustedForwardingWarning w = new UntrustedForwardingWarning(Duration.ofMinutes(5), now::get);
    assertThat(w.note("10.0.0.5", false, false)).isNull();
    assertThat(w.note("10.0.0.5", false, true))
        .startsWith("requests from 10.0.0.5 carry X-Forwarded-For but 10.0.0.5 is not in")
        .doesNotContain("more such requests");
    assertThat(w.note("10.0.0.5", true, false)).isNull();
    now.addAndGet(Duration.ofMinutes(4).toNanos());
    assertThat(w.note("10.0.0.6", true, false)).isNull();
    now.addAndGet(Duration.ofMinutes(1).toNanos());
    assertThat(w.note("10.0.0.7", true, false))
        .startsWith("requests from 10.0.0.7 carry Forwarded")
        .contains("(2 more such requests since the last warning)");
  }
}
