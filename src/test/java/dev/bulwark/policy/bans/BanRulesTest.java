package dev.bulwark.policy.bans;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.config.ConfigException;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.exchange.CidrSet;
import dev.bulwark.observe.SecurityLog;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.store.Ban;
import dev.bulwark.store.memory.MemoryBanStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Ban rules over the embedded store: who is exempt, when a rule fires, and how it is worded. */
class BanRulesTest {
  private final MemoryBanStore store = new MemoryBanStore(1000, 1000);
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private BanRules rules(BansConfig config) {
    return new BanRules(
        config, CidrSet.empty(), store, SecurityEvents.of(new SecurityLog(lines::add)));
  }

  private static void fail(BanRules rules, String client, int times) {
    for (int i = 0; i < times; i++) {
      rules.observe(client, 401, "req-" + i);
    }
  }

  /** Reads the bans section of a whole configuration file. */
  static BansConfig read(String bansYaml) throws Exception {
    Path dir = Files.createTempDirectory("bans-config");
    // A real pair: the loader checks the certificate and key together.
    dev.bulwark.server.SelfSignedCertificate.generate(dir, java.util.List.of("localhost"));
    String yaml =
        """
        listen: { https: 127.0.0.1:8443 }
        tls: { cert: tls.crt, key: tls.key }
        routes:
          - { name: api, public: true, match: { path: /** }, upstream: "http://127.0.0.1:3000" }
        """
            + bansYaml;
    try {
      return PolicyCatalog.standard()
          .loader(new SecretResolver(k -> null))
          .parse(yaml, dir.resolve("bulwark.yaml"), dir)
          .config()
          .section(BansConfig.class);
    } catch (ConfigException e) {
      throw new AssertionError(e.problems().toString(), e);
    }
  }

  @Test
  void loopbackIsNeverBannedByTheDefaultRules() {
    BanRules rules = rules(BansConfig.DEFAULTS);
    for (String loopback : List.of("127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1")) {
      fail(rules, loopback, 50);
      assertThat(store.active(loopback)).as(loopback).isNull();
    }
    assertThat(lines).noneMatch(l -> l.contains("\"event\":\"ban\""));
  }

  @Test
  void theDefaultRuleBansAtExactlyTheTwentiethFailure() {
    BanRules rules = rules(BansConfig.DEFAULTS);
    fail(rules, "192.0.2.7", 19);
    assertThat(store.active("192.0.2.7")).as("after 19 failures").isNull();
    fail(rules, "192.0.2.7", 1);
    assertThat(store.active("192.0.2.7")).as("after 20 failures").isNotNull();
    assertThat(lines).filteredOn(l -> l.contains("\"event\":\"ban\"")).hasSize(1);
  }

  @Test
  void theBanReasonIsWrittenInWords() {
    fail(rules(BansConfig.DEFAULTS), "192.0.2.7", 20);
    String event = lines.stream().filter(l -> l.contains("\"event\":\"ban\"")).findFirst().get();
    assertThat(event)
        .contains("\"reason\":\"20 answers with status 401 or 403 within 5 minutes\"")
        .doesNotContain("PT5M")
        .doesNotContain("[401");
    assertThat(store.active("192.0.2.7"))
        .extracting(Ban::reason)
        .isEqualTo("20 answers with status 401 or 403 within 5 minutes");
  }

  @Test
  void aLiftedBanDoesNotComeBackAtTheNextFailure() throws Exception {
    BanRules rules = rules(BansConfig.DEFAULTS);
    fail(rules, "192.0.2.7", 20);
    assertThat(store.unban("192.0.2.7").toCompletableFuture().get()).isTrue();
    fail(rules, "192.0.2.7", 1);
    assertThat(store.active("192.0.2.7"))
        .as("one failure after the ban was lifted, in the same window")
        .isNull();
    fail(rules, "192.0.2.7", 19);
    assertThat(store.active("192.0.2.7")).as("twenty more").isNotNull();
  }

  @Test
  void anEmptyExemptListMakesLoopbackBannable() throws Exception {
    BansConfig config = read("bans: { exempt: [] }\n");
    assertThat(config.exempt()).isEmpty();
    BanRules rules = rules(config);
    fail(rules, "127.0.0.1", 20);
    assertThat(store.active("127.0.0.1")).isNotNull();
  }

  @Test
  void exemptIsLoopbackUnlessGivenAndAGivenListReplacesIt() throws Exception {
    assertThat(read("").exempt()).containsExactly("127.0.0.0/8", "::1");
    assertThat(read("bans: { action: drop }\n").exempt()).containsExactly("127.0.0.0/8", "::1");
    assertThat(read("bans: { exempt: [10.0.0.0/8] }\n").exempt()).containsExactly("10.0.0.0/8");
    assertThat(read("bans: { exempt: [127.0.0.0/8, \"::1\", 10.0.0.0/8] }\n").exempt())
        .containsExactly("127.0.0.0/8", "::1", "10.0.0.0/8");
    BanRules rules = rules(read("bans: { exempt: [10.0.0.0/8] }\n"));
    fail(rules, "10.1.2.3", 20);
    fail(rules, "127.0.0.1", 20);
    assertThat(store.active("10.1.2.3")).isNull();
    assertThat(store.active("127.0.0.1")).isNotNull();
  }

  @Test
  void theStartupNoteSaysWhetherBansAreOnWhatTriggersThemAndWhoIsExempt() throws Exception {
    assertThat(BansConfig.DEFAULTS.startupNote())
        .isEqualTo(
            "automatic bans on: auth-failures: 20 answers with status 401 or 403 within 5 minutes"
                + " ban a client for 15 minutes (doubling on repeats, up to 1 day);"
                + " never banned: 127.0.0.0/8, ::1 and trusted proxies (bans.exempt)");
    assertThat(
            read("""
                    bans:
                      action: drop
                      exempt: []
                      rules:
                        - { name: scanners, status: [404], count: 1, window: 90s, ban: 1d }
                    """)
                .startupNote())
        .isEqualTo(
            "automatic bans on (connections of banned clients are closed): scanners: 1 answer"
                + " with status 404 within 90 seconds ban a client for 1 day;"
                + " never banned: trusted proxies (bans.exempt)");
    assertThat(read("bans: off\n").startupNote()).isEqualTo("automatic bans off");
  }

  @Test
  void durationsAndStatusesInWords() {
    assertThat(BansConfig.inWords(Duration.ofMinutes(5))).isEqualTo("5 minutes");
    assertThat(BansConfig.inWords(Duration.ofHours(1))).isEqualTo("1 hour");
    assertThat(BansConfig.inWords(Duration.ofSeconds(90))).isEqualTo("90 seconds");
    assertThat(BansConfig.inWords(Duration.ofHours(36))).isEqualTo("36 hours");
    assertThat(BansConfig.inWords(Duration.ofDays(2))).isEqualTo("2 days");
    assertThat(BansConfig.statusesInWords(java.util.Set.of(403, 401, 429)))
        .isEqualTo("401, 403 or 429");
  }
}
