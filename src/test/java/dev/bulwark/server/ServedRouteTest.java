package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigException;
import dev.bulwark.config.Problem;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.endpoint.EndpointCatalog;
import dev.bulwark.endpoint.EndpointFactory;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.HeaderMap;
import dev.bulwark.exchange.OfflineRequest;
import dev.bulwark.identity.AssertionKeys;
import dev.bulwark.observe.GatewayMetrics;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.OfflineRun;
import dev.bulwark.policy.Compilation;
import dev.bulwark.policy.GatewayContext;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.policy.RouteContext;
import dev.bulwark.policy.Stage;
import dev.bulwark.store.Stores;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A route that serves an endpoint ({@code serve: <kind>}): adding a kind is its factory and one
 * line in the endpoint catalog (shown with a test-only kind), the loader accepts exactly the
 * catalog's kinds, and the served route runs its sections' policies with the endpoint's answer.
 */
class ServedRouteTest {
  private static final String CONFIG =
      """
      listen: { https: 127.0.0.1:0 }
      tls: { cert: tls.crt, key: tls.key }
      defaults:
        headers: { set: { X-From-Defaults: "yes" } }
      routes:
        - name: hello
          match: { path: /hello, methods: [GET] }
          serve: greeting
        - name: app
          match: { path: /** }
          upstream: http://127.0.0.1:3000
          public: true
      """;

  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  /** A kind of endpoint that exists only in this test: answers 200 with a greeting header. */
  static final class GreetingFactory implements EndpointFactory {
    @Override
    public String kind() {
      return "greeting";
    }

    @Override
    public List<Policy> serve(
        GatewayContext gateway, List<Compilation> features, RouteContext route) {
      return List.of(
          new Policy() {
            @Override
            public Stage stage() {
              return Stage.AUTHN;
            }

            @Override
            public String name() {
              return "greeting";
            }

            @Override
            public String describe() {
              return "says hello on " + route.name();
            }

            @Override
            public void onRequest(Exchange exchange) {
              exchange.responseHeaders().set(HeaderMap.constant("X-Greeting"), "hello");
              exchange.answer(200);
            }
          });
    }
  }

  private static EndpointCatalog withGreeting() {
    List<EndpointFactory> kinds = new ArrayList<>(EndpointCatalog.standard().factories());
    kinds.add(new GreetingFactory()); // the one line
    return EndpointCatalog.of(kinds);
  }

  private Path file() throws Exception {
    SelfSignedCertificate.generate(dir, List.of("localhost"));
    Path file = dir.resolve("bulwark.yaml");
    Files.writeString(file, CONFIG);
    return file;
  }

  @Test
  void aKindOutsideTheCatalogIsAnErrorAtItsPathListingTheKnownKinds() throws Exception {
    Path file = file();
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                EndpointCatalog.standard()
                    .loader(PolicyCatalog.standard(), new SecretResolver(n -> null))
                    .load(file));
    assertThat(e).isNotNull();
    assertThat(e.problems().stream().map(Problem::toString))
        .containsExactly(
            "routes[0].serve: \"greeting\" (expected: a kind of endpoint, one of forward-auth, login, password-reset)");
  }

  @Test
  void aKindAddedByOneCatalogLineServesItsRouteBehindTheRoutesSections() throws Exception {
    EndpointCatalog endpoints = withGreeting();
    assertThat(endpoints.kinds())
        .containsExactlyInAnyOrder("forward-auth", "login", "password-reset", "greeting");
    BulwarkConfig config =
        endpoints
            .loader(PolicyCatalog.standard(), new SecretResolver(n -> null))
            .load(file())
            .config();
    assertThat(config.routes().get(0).serve()).isEqualTo("greeting");
    assertThat(config.routes().get(0).upstream()).isNull();
    try (Stores stores = Stores.embedded();
        BlockingExecutor blocking = new BlockingExecutor(1, 1, new SimpleMeterRegistry())) {
      CompiledGateway gw =
          CompiledGateway.compile(
              config,
              PolicyCatalog.standard(),
              endpoints,
              new GatewayMetrics(),
              line -> {},
              stores,
              AssertionKeys.generate(),
              CompiledGateway.Services.quiet(line -> {}, blocking));
      assertThat(gw.summary())
          .contains(
              "route hello host=* path=/hello methods=GET -> serve greeting"
                  + " policies=headers,errors,greeting",
              "  greeting: says hello on hello\n");
      OfflineRequest request =
          OfflineRequest.builder("GET", "/hello").host("localhost", -1).build();
      CompiledRoute route =
          Objects.requireNonNull(gw.match(request, "localhost", "/hello", "GET").route());
      Decision d = OfflineRun.of(route, request).run();
      assertThat(d.outcome()).isEqualTo(Decision.Outcome.ANSWERED);
      assertThat(d.status()).isEqualTo(200);
      assertThat(d.header("x-greeting")).isEqualTo("hello");
      // The route's sections (here inherited from defaults) still apply to the served answer.
      assertThat(d.header("x-from-defaults")).isEqualTo("yes");
    }
  }
}
