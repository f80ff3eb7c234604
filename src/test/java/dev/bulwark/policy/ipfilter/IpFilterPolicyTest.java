package dev.bulwark.policy.ipfilter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.pipeline.TraceLines;
import dev.bulwark.testing.FakeExchange;
import dev.bulwark.testing.FakeExchange.Outcome;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ip-filter against a fake exchange: the resolved client address is all it looks at. */
class IpFilterPolicyTest {
  private static final IpFilterPolicy OFFICE_ONLY =
      IpFilterPolicy.compile(
          new IpFilterConfig(List.of("10.0.0.0/8", "2001:db8:1::/48"), List.of()));
  private static final IpFilterPolicy DENY_WINS =
      IpFilterPolicy.compile(
          new IpFilterConfig(
              List.of("0.0.0.0/0", "::/0"), List.of("10.6.0.0/16", "2001:db8::/32")));

  private static FakeExchange from(String client, IpFilterPolicy policy) {
    return FakeExchange.get("/x").client(client).run(policy);
  }

  @Test
  void forgedForwardingHeadersDoNotChangeTheAddressThatIsChecked() {
    FakeExchange fx =
        FakeExchange.get("/x")
            .client("203.0.113.7")
            .header("X-Forwarded-For", "10.1.2.3")
            .header("Forwarded", "for=10.1.2.3")
            .header("X-Real-IP", "10.1.2.3")
            .run(OFFICE_ONLY);
    assertThat(fx.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(fx.status()).isEqualTo(403);
    assertThat(fx.exchange().denyReason())
        .isEqualTo("client address not on the ip-filter allow list");
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.6.0.1", "::ffff:10.6.200.9", "2001:db8::1", "2001:DB8:0:0::7"})
  void denyListWinsOverAnAllowListThatCoversEveryone(String client) {
    FakeExchange fx = from(client, DENY_WINS);
    assertThat(fx.status()).as(client).isEqualTo(403);
    assertThat(fx.exchange().denyReason()).isEqualTo("client address on the ip-filter deny list");
  }

  @ParameterizedTest
  @ValueSource(strings = {"unknown", "", "10.0.0.1.5", "10.0.0.0/8", "not-an-address"})
  void anAddressThatIsNotOneIsRefusedByAnAllowList(String client) {
    assertThat(from(client, OFFICE_ONLY).status()).as(client).isEqualTo(403);
  }

  @Test
  void anAddressThatIsNotOnePassesAFilterWithOnlyADenyList() {
    IpFilterPolicy denyOnly =
        IpFilterPolicy.compile(new IpFilterConfig(List.of(), List.of("10.6.0.0/16")));
    assertThat(from("unknown", denyOnly).outcome()).isEqualTo(Outcome.PROCEEDED);
  }

  @Test
  void clientsOffTheAllowListAreRefusedWithTheGenericBody() {
    FakeExchange fx = from("192.0.2.1", OFFICE_ONLY);
    assertThat(fx.status()).isEqualTo(403);
    assertThat(fx.responseBody())
        .contains("\"error\":\"forbidden\"", "\"requestId\":\"req-fake-1\"")
        .doesNotContain("allow list");
    assertThat(fx.exchange().decidedBy()).isEqualTo("ip-filter");
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.1", "10.255.255.255", "::ffff:10.9.9.9", "2001:db8:1:ffff::1"})
  void clientsOnTheAllowListProceed(String client) {
    assertThat(from(client, OFFICE_ONLY).outcome()).as(client).isEqualTo(Outcome.PROCEEDED);
  }

  @Test
  void aTracedDecisionNamesTheRangeThatMatched() {
    TraceLines denied = new TraceLines();
    TraceLines allowed = new TraceLines();
    TraceLines outside = new TraceLines();

    FakeExchange.get("/x").client("10.6.1.2").trace(denied).run(DENY_WINS);
    FakeExchange.get("/x").client("2001:db8:1::7").trace(allowed).run(OFFICE_ONLY);
    FakeExchange.get("/x").client("203.0.113.7").trace(outside).run(OFFICE_ONLY);

    assertThat(denied.lines()).contains("note      ip-filter: 10.6.1.2 is in deny 10.6.0.0/16");
    assertThat(allowed.lines())
        .contains("note      ip-filter: 2001:db8:1::7 is in allow 2001:db8:1::/48");
    assertThat(outside.lines()).contains("note      ip-filter: 203.0.113.7 is in no allow range");
  }
}
