package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.policy.PolicyCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The admin credential in the file: a secret reference only, of a usable length; an admin listener
 * reachable from other hosts without it is an error with its path and what to do; on loopback
 * without it the file is valid and linted.
 */
class AdminConfigTest {
  private static final String TOKEN = "0123456789abcdef0123456789abcdef-token";
  private static final String ROUTE =
      """
      routes:
        - { name: api, public: true, match: { path: /** }, upstream: "http://127.0.0.1:3000" }
      """;

  private static final String REMOTE_WITH_TOKEN =
      """
      listen: { https: 0.0.0.0:8443, admin: 10.0.0.5:9090 }
      admin: { token: "${env:BULWARK_ADMIN_TOKEN}" }
      """;

  private static ConfigLoader.Loaded load(String yaml, Map<String, String> env) throws Exception {
    Path dir = Files.createTempDirectory("admin-config");
    dev.bulwark.server.SelfSignedCertificate.generate(dir, List.of("localhost"));
    return PolicyCatalog.standard()
        .loader(new SecretResolver(env::get))
        .parse("tls: { cert: tls.crt, key: tls.key }\n" + yaml + ROUTE, dir.resolve("b.yaml"), dir);
  }

  private static List<String> errors(String yaml, Map<String, String> env) {
    try {
      load(yaml, env);
    } catch (ConfigException e) {
      return e.problems().stream().map(Problem::toString).toList();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("loaded: " + yaml);
  }

  private static List<String> adminWarnings(String yaml, Map<String, String> env) throws Exception {
    return load(yaml, env).warnings().stream()
        .map(Problem::toString)
        .filter(w -> w.startsWith("admin") || w.startsWith("listen.admin"))
        .toList();
  }

  @Test
  void aLiteralTokenIsRefusedAndNotEchoed() {
    List<String> errors =
        errors("listen: { https: 0.0.0.0:8443 }\nadmin: { token: " + TOKEN + " }\n", Map.of());
    assertThat(errors)
        .containsExactly(
            "admin.token: literal secret (expected: a secret reference such as"
                + " ${env:BULWARK_ADMIN_TOKEN} or ${file:/run/secrets/admin-token})");
    assertThat(String.join("\n", errors)).doesNotContain(TOKEN);
  }

  @Test
  void aShortOrUnsetOrNonAsciiTokenIsAnError() {
    assertThat(
            errors(
                "listen: { https: 0.0.0.0:8443 }\nadmin: { token: \"${env:T}\" }\n",
                Map.of("T", "short")))
        .containsExactly(
            "admin.token: 5 characters (expected: 32 to 512, such as the output of: openssl rand"
                + " -base64 32)");
    assertThat(
            errors("listen: { https: 0.0.0.0:8443 }\nadmin: { token: \"${env:T}\" }\n", Map.of()))
        .containsExactly("admin.token: ${env:T}: environment variable is not set");
    assertThat(
            errors(
                "listen: { https: 0.0.0.0:8443 }\nadmin: { token: \"${env:T}\" }\n",
                Map.of("T", TOKEN + "\u00e9")))
        .singleElement()
        .asString()
        .startsWith("admin.token: character at 38 is not visible ASCII");
    assertThat(errors("listen: { https: 0.0.0.0:8443 }\nadmin: { tokn: x }\n", Map.of()))
        .containsExactly("admin.tokn: unknown key (expected one of: dashboard, tls, token)");
  }

  @Test
  void anAdminListenerReachableFromOtherHostsNeedsAToken() {
    assertThat(errors("listen: { https: 0.0.0.0:8443, admin: 0.0.0.0:9090 }\n", Map.of()))
        .containsExactly(
            "listen.admin: 0.0.0.0:9090: admin listener reachable from other hosts without a"
                + " credential (expected: a loopback address such as 127.0.0.1:9090, or set"
                + " admin.token to a secret reference such as ${env:BULWARK_ADMIN_TOKEN})");
    // A bad token is said once, where it is, not also as a missing one.
    assertThat(
            errors(
                "listen: { https: 0.0.0.0:8443, admin: 10.0.0.5:9090 }\nadmin: { token: x }\n",
                Map.of()))
        .singleElement()
        .asString()
        .startsWith("admin.token: literal secret");
  }

  @Test
  void withATokenARemoteAdminListenerIsValidAndWarnedAboutPlainHttp() throws Exception {
    ConfigLoader.Loaded loaded = load(REMOTE_WITH_TOKEN, Map.of("BULWARK_ADMIN_TOKEN", TOKEN));
    assertThat(loaded.config().admin().tokenRequired()).isTrue();
    assertThat(loaded.config().admin().token()).isEqualTo(TOKEN);
    assertThat(loaded.config().admin().toString()).doesNotContain(TOKEN);
    assertThat(adminWarnings(REMOTE_WITH_TOKEN, Map.of("BULWARK_ADMIN_TOKEN", TOKEN)))
        .singleElement()
        .asString()
        .startsWith("listen.admin: 10.0.0.5:9090: the admin listener speaks plain HTTP");
  }

  @Test
  void onLoopbackWithoutATokenTheFileIsValidAndLinted() throws Exception {
    ConfigLoader.Loaded loaded = load("listen: { https: 0.0.0.0:8443 }\n", Map.of());
    assertThat(loaded.config().admin().tokenRequired()).isFalse();
    assertThat(adminWarnings("listen: { https: 0.0.0.0:8443 }\n", Map.of()))
        .containsExactly(
            "admin.token: not set: any process on this host (or a backend tricked into a request)"
                + " can read metrics and change bans through the admin listener at 127.0.0.1:9090"
                + " (set admin.token to a secret reference such as ${env:BULWARK_ADMIN_TOKEN})");
    assertThat(adminWarnings("listen: { https: 0.0.0.0:8443, admin: off }\n", Map.of())).isEmpty();
    assertThat(
            adminWarnings(
                "listen: { https: 0.0.0.0:8443 }\nadmin: { token: \"${env:A}\" }\n",
                Map.of("A", TOKEN)))
        .isEmpty();
  }

  @Test
  void keepingRecentDecisionsWithTheAdminListenerOffIsLinted() throws Exception {
    assertThat(
            warnings(
                "listen: { https: 127.0.0.1:8443, admin: off }\nserver: { explain-recent: 100 }\n"))
        .containsExactly(
            "server.explain-recent: 100: recent decisions are kept but listen.admin is off, so"
                + " nobody can read them (set listen.admin, or remove server.explain-recent)");
    assertThat(warnings("listen: { https: 127.0.0.1:8443, admin: off }\n")).isEmpty();
    assertThat(
            warnings(
                "listen: { https: 127.0.0.1:8443 }\nadmin: { token: \"${env:A}\" }\n"
                    + "server: { explain-recent: 100 }\n"))
        .noneMatch(w -> w.startsWith("server"));
  }

  private static List<String> warnings(String yaml) throws Exception {
    return load(yaml, Map.of("A", TOKEN)).warnings().stream()
        .map(Problem::toString)
        .filter(w -> w.startsWith("server") || w.startsWith("admin"))
        .toList();
  }

  @Test
  void aTokenGivenInCodeIsCheckedLikeOneInAFile() {
    assertThat(AdminConfig.withToken(TOKEN).tokenRequired()).isTrue();
    assertThat(AdminConfig.withToken(TOKEN)).isEqualTo(AdminConfig.withToken(TOKEN));
    assertThat(AdminConfig.withToken(TOKEN)).isNotEqualTo(AdminConfig.NONE);
    assertThatThrownBy(() -> AdminConfig.withToken("short"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("token: 5 characters");
    assertThatThrownBy(() -> AdminConfig.withToken(" ".repeat(40)))
        .hasMessageContaining("not visible ASCII");
  }

  @Test
  void withAdminTlsTheRemoteListenerIsNotWarnedAboutPlainHttp() throws Exception {
    String same =
        REMOTE_WITH_TOKEN + "admin: { token: \"${env:BULWARK_ADMIN_TOKEN}\", tls: same }\n";
    same = same.replace("admin: { token: \"${env:BULWARK_ADMIN_TOKEN}\" }\n", "");
    ConfigLoader.Loaded loaded = load(same, Map.of("BULWARK_ADMIN_TOKEN", TOKEN));
    assertThat(loaded.config().admin().tls()).isEqualTo(AdminTls.SAME);
    assertThat(loaded.config().admin().tls().served(loaded.config().tls()))
        .isSameAs(loaded.config().tls());
    assertThat(adminWarnings(same, Map.of("BULWARK_ADMIN_TOKEN", TOKEN))).isEmpty();
    String own =
        "listen: { https: 0.0.0.0:8443, admin: 10.0.0.5:9090 }\n"
            + "admin: { token: \"${env:BULWARK_ADMIN_TOKEN}\","
            + " tls: { cert: tls.crt, key: tls.key, min-version: TLSv1.3 } }\n";
    ConfigLoader.Loaded ownLoaded = load(own, Map.of("BULWARK_ADMIN_TOKEN", TOKEN));
    assertThat(ownLoaded.config().admin().tls().mode()).isEqualTo(AdminTls.Mode.OWN);
    assertThat(
            java.util.Objects.requireNonNull(ownLoaded.config().admin().tls().own()).minVersion())
        .isEqualTo("TLSv1.3");
    assertThat(adminWarnings(own, Map.of("BULWARK_ADMIN_TOKEN", TOKEN))).isEmpty();
  }

  @Test
  void badAdminTlsIsOneErrorPerProblemWithItsPathNamingTheFile() {
    assertThat(errors("listen: { https: 0.0.0.0:8443 }\nadmin: { tls: yes-please }\n", Map.of()))
        .containsExactly(
            "admin.tls: \"yes-please\" (expected: same (the certificate of tls), or a mapping with"
                + " cert and key (PEM files))");
    List<String> missing =
        errors(
            "listen: { https: 0.0.0.0:8443 }\nadmin: { tls: { cert: nope.crt, key: tls.key } }\n",
            Map.of());
    assertThat(missing).singleElement().asString().startsWith("admin.tls.cert: nope.crt: ");
    assertThat(missing.get(0)).doesNotContain("Exception").doesNotContain("\n");
    assertThat(
            errors("listen: { https: 0.0.0.0:8443 }\nadmin: { tls: { key: tls.key } }\n", Map.of()))
        .singleElement()
        .asString()
        .startsWith("admin.tls.cert: missing");
  }

  @Test
  void dashboardAdminsAreAnOrganisationSlugAndARole() throws Exception {
    ConfigLoader.Loaded loaded =
        load(
            "listen: { https: 0.0.0.0:8443 }\nadmin: { dashboard: { organisation: operators } }\n",
            Map.of());
    assertThat(loaded.config().admin().dashboardOrganisation()).isEqualTo("operators");
    assertThat(loaded.config().admin().dashboardRole()).isEqualTo("admin");
    assertThat(
            errors(
                "listen: { https: 0.0.0.0:8443 }\nadmin: { dashboard: { organisation: \"Not A Slug\", role: \"a b\" } }\n",
                Map.of()))
        .hasSize(2)
        .anySatisfy(e -> assertThat(e).startsWith("admin.dashboard.organisation: "))
        .anySatisfy(e -> assertThat(e).startsWith("admin.dashboard.role: "));
    assertThat(
            errors(
                "listen: { https: 0.0.0.0:8443 }\nadmin: { dashboard: { role: ops } }\n", Map.of()))
        .singleElement()
        .asString()
        .startsWith("admin.dashboard.organisation: missing");
  }

  @Test
  void aDashboardSignedInToWithTheTokenAloneOnAGatewayWithAccountsIsLinted() throws Exception {
    String token = "listen: { https: 0.0.0.0:8443 }\nadmin: { token: \"${env:A}\" }\n";
    String identity =
        "identity: { tokens: { issuer: https://auth.example.com, audience: api.example.com } }\n";
    Map<String, String> env = Map.of("A", TOKEN);
    assertThat(adminWarnings(token + identity, env))
        .singleElement()
        .asString()
        .startsWith("admin.dashboard: not set: the dashboard signs in with the admin token alone");
    String dashboard =
        "listen: { https: 0.0.0.0:8443 }\n"
            + "admin: { token: \"${env:A}\", dashboard: { organisation: operators } }\n";
    assertThat(adminWarnings(dashboard + identity, env)).isEmpty();
    assertThat(adminWarnings(token, env)).isEmpty(); // no accounts: the token is all there is
  }
}
