package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.policy.PolicyCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a reload loosens: a new hardening warning, a policy a route lost, a route no longer guarded;
 * tightening, reordering and adding routes loosen nothing.
 */
class ReloadLooseningTest {
  private static final Map<String, String> ENV =
      Map.of("JWT_SECRET", "jwt-secret-0123456789abcdefghijklmnopqrstuv");
  private static final String HEAD =
      """
      listen: { https: 127.0.0.1:8443, http: 127.0.0.1:8080 }
      tls: { cert: tls.crt, key: tls.key }
      auth:
        issuers:
          ci: { issuer: https://ci.example/, audience: api, algorithms: [HS256], secret: "${env:JWT_SECRET}" }
      """;
  private static final String STRICT =
      HEAD
          + """
          routes:
            - name: api
              match: { path: /api/** }
              upstream: https://orders.internal:8443
              auth: { require: [authenticated] }
              rate-limit: { key: ip, limit: 10, window: 1s }
            - { name: health, public: true, match: { path: /health }, upstream: "https://orders.internal:8443" }
          """;

  private static @org.jspecify.annotations.Nullable Path dir;

  private static ConfigLoader loader() {
    return PolicyCatalog.standard().loader(new SecretResolver(ENV::get));
  }

  private static synchronized BulwarkConfig load(String yaml) throws Exception {
    Path d = dir;
    if (d == null) {
      d = Files.createTempDirectory("loosening");
      dev.bulwark.server.SelfSignedCertificate.generate(d, List.of("localhost"));
      dir = d;
    }
    return loader().parse(yaml, d.resolve("b.yaml"), d).config();
  }

  private static List<String> loosening(String before, String after) throws Exception {
    return loader().loosening(load(before), load(after));
  }

  @Test
  void theSameFileLoosensNothing() throws Exception {
    assertThat(loosening(STRICT, STRICT)).isEmpty();
  }

  @Test
  void aRouteMadePublicIsNoLongerGuarded() throws Exception {
    String after = STRICT.replace("auth: { require: [authenticated] }", "public: true");
    assertThat(loosening(STRICT, after))
        .contains("routes.api: no longer guarded (was: requires authentication)");
  }

  @Test
  void aRateLimitRemovedFromARouteIsAPolicyRemoved() throws Exception {
    String after = STRICT.replace("    rate-limit: { key: ip, limit: 10, window: 1s }\n", "");
    assertThat(loosening(STRICT, after)).contains("routes.api: rate-limit removed");
    // And putting it back is tightening.
    assertThat(loosening(after, STRICT)).isEmpty();
  }

  @Test
  void aNewHardeningWarningIsALoosening() throws Exception {
    String after =
        STRICT.replace(
            "upstream: https://orders.internal:8443\n    auth",
            "upstream: http://orders.internal:8080\n    auth");
    assertThat(loosening(STRICT, after))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("new warning: routes.api.upstream: http://orders.internal:8080:"));
  }

  @Test
  void reorderingOrAddingAHardenedRouteLoosensNothing() throws Exception {
    String reordered =
        HEAD
            + """
            routes:
              - { name: health, public: true, match: { path: /health }, upstream: "https://orders.internal:8443" }
              - name: api
                match: { path: /api/** }
                upstream: https://orders.internal:8443
                auth: { require: [authenticated] }
                rate-limit: { key: ip, limit: 10, window: 1s }
              - name: extra
                match: { path: /extra/** }
                upstream: https://orders.internal:8443
                auth: { require: [authenticated] }
                rate-limit: { key: ip, limit: 10, window: 1s }
            """;
    assertThat(loosening(STRICT, reordered)).isEmpty();
  }
}
