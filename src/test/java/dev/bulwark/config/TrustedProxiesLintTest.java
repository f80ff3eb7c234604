package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.policy.PolicyCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The linter warns about an empty {@code trusted-proxies} only where it matters: a listener
 * reachable from other hosts, and something keyed by the client address.
 */
class TrustedProxiesLintTest {
  private static final String ROUTE =
      """
      routes:
        - { name: api, public: true, match: { path: /** }, upstream: "http://127.0.0.1:3000" }
      """;

  private static List<String> warnings(String yaml) throws Exception {
    Path dir = Files.createTempDirectory("lint");
    // A real pair: the loader checks the certificate and key together.
    dev.bulwark.server.SelfSignedCertificate.generate(dir, java.util.List.of("localhost"));
    try {
      return PolicyCatalog.standard()
          .loader(new SecretResolver(k -> null))
          .parse("tls: { cert: tls.crt, key: tls.key }\n" + yaml, dir.resolve("b.yaml"), dir)
          .warnings()
          .stream()
          .map(Problem::toString)
          .filter(w -> w.startsWith("trusted-proxies"))
          .toList();
    } catch (ConfigException e) {
      throw new AssertionError(e.problems().toString(), e);
    }
  }

  @Test
  void anEmptyListIsWarnedAboutOnAPublicListenerWithTheDefaultBans() throws Exception {
    assertThat(warnings("listen: { https: 0.0.0.0:8443 }\n" + ROUTE))
        .containsExactly(
            "trusted-proxies: empty: each client is its TCP peer; behind a load balancer or"
                + " reverse proxy all clients would share its address for automatic bans (list"
                + " the proxy's addresses; ignore this if clients connect directly)");
  }

  @Test
  void theWarningNamesEverythingKeyedByTheClientAddress() throws Exception {
    String yaml =
        """
        listen: { https: "[::]:8443" }
        defaults:
          rate-limit: { key: ip, limit: 10, window: 1s }
          ip-filter: { deny: [192.0.2.0/24] }
        """
            + ROUTE;
    assertThat(warnings(yaml))
        .singleElement()
        .asString()
        .contains("for automatic bans, ip-filter and rate limits (");
  }

  @Test
  void noWarningOnALoopbackListenerWithTrustedProxiesOrWithNothingKeyedByAddress()
      throws Exception {
    assertThat(warnings("listen: { https: 127.0.0.1:8443 }\n" + ROUTE)).isEmpty();
    assertThat(warnings("listen: { https: \"[::1]:8443\" }\n" + ROUTE)).isEmpty();
    assertThat(warnings("listen: { https: 0.0.0.0:8443 }\ntrusted-proxies: [10.0.0.0/8]\n" + ROUTE))
        .isEmpty();
    assertThat(warnings("listen: { https: 0.0.0.0:8443 }\nbans: off\n" + ROUTE)).isEmpty();
    assertThat(
            warnings(
                """
                listen: { https: 0.0.0.0:8443 }
                bans: off
                defaults:
                  rate-limit: { key: route, limit: 1000, window: 1s }
                """
                    + ROUTE))
        .as("a limit keyed by route only is the same behind a proxy")
        .isEmpty();
  }
}
