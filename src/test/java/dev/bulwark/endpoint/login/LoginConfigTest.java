package dev.bulwark.endpoint.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.Problem;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.endpoint.EndpointCatalog;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.testing.TestGateway;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a route that serves login needs from the rest of the file, each missing piece an error at
 * its path; tokens kept only in memory are linted.
 */
class LoginConfigTest {
  private static ConfigLoader loader() {
    return EndpointCatalog.standard()
        .loader(PolicyCatalog.standard(), new SecretResolver(Map.<String, String>of()::get));
  }

  private static String yaml(String body) throws Exception {
    return TestGateway.yaml(body, 9);
  }

  private static List<String> errors(String body) throws Exception {
    ConfigException e =
        catchThrowableOfType(
            () -> loader().parse(yaml(body), Path.of("/tmp/b.yaml"), Path.of("/tmp")),
            ConfigException.class);
    assertThat(e).as("a configuration error").isNotNull();
    return e.problems().stream()
        .filter(p -> p.severity() == Problem.Severity.ERROR)
        .map(Problem::toString)
        .toList();
  }

  @Test
  void loginWithoutTokensIsAnErrorAtItsServe() throws Exception {
    assertThat(
            errors(
                """
                routes:
                  - name: auth
                    match: { path: "/auth/**" }
                    serve: login
                """))
        .anySatisfy(
            e -> assertThat(e).startsWith("routes[0].serve: login without identity.tokens"));
  }

  @Test
  void loginOnRedisWithoutPostgresIsAnError() throws Exception {
    assertThat(
            errors(
                """
                store: { redis: "redis://127.0.0.1:6379" }
                identity:
                  tokens: { issuer: https://localhost, audience: api }
                routes:
                  - name: auth
                    match: { path: "/auth/**" }
                    serve: login
                """))
        .anySatisfy(
            e ->
                assertThat(e)
                    .startsWith("routes[0].serve: login on a store that keeps no accounts"));
  }

  @Test
  void aLoginRouteMustBeAPlainPrefixAndItsSettingsOnlyOnIt() throws Exception {
    List<String> errors =
        errors(
            """
            identity:
              tokens: { issuer: https://localhost, audience: api }
            routes:
              - name: auth
                match: { path: "/auth/{x}/**" }
                serve: login
                login: { mfa-token-ttl: 1h }
              - name: api
                match: { path: "/api/**" }
                upstream: UPSTREAM
                public: true
                login: { mfa-token-ttl: 5m }
            """);
    assertThat(errors)
        .anySatisfy(e -> assertThat(e).startsWith("routes[0].match.path: /auth/{x}/**"))
        .anySatisfy(e -> assertThat(e).startsWith("routes[0].login.mfa-token-ttl"))
        .anySatisfy(
            e -> assertThat(e).startsWith("routes[1].login: on a route that does not serve login"));
  }

  @Test
  void tokensOnAnEmbeddedStoreWithoutADataDirectoryAreLinted() throws Exception {
    ConfigLoader.Loaded loaded =
        loader()
            .parse(
                yaml(
                    """
                    identity:
                      tokens: { issuer: https://localhost, audience: api }
                    routes:
                      - name: auth
                        match: { path: "/auth/**" }
                        serve: login
                        login: { mfa-token-ttl: 2m }
                    """),
                Path.of("/tmp/b.yaml"),
                Path.of("/tmp"));
    assertThat(loaded.warnings())
        .anySatisfy(
            w ->
                assertThat(w.toString())
                    .startsWith("identity.tokens: sessions and signing keys are kept in memory"));
  }
}
