package dev.bulwark.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.ConfigNode;
import dev.bulwark.config.ConfigSection;
import dev.bulwark.config.Problem;
import dev.bulwark.config.ReadContext;
import dev.bulwark.config.RouteConfig;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.identity.AssertionKeys;
import dev.bulwark.identity.UpstreamIdentity;
import dev.bulwark.observe.SecurityLog;
import dev.bulwark.policy.headers.HeadersFactory;
import dev.bulwark.server.SelfSignedCertificate;
import dev.bulwark.store.Stores;
import dev.bulwark.testing.FakeExchange;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The catalog is the one list of features: the keys a route, {@code defaults} and the top level
 * accept are exactly the core's own plus the catalog's, a key no feature declares is an error at
 * its path that lists the known keys, and a new feature needs nothing but its factory and a line.
 */
class PolicyCatalogTest {
  private static final SecretResolver NO_SECRETS = new SecretResolver(k -> null);
  private final ConfigLoader loader = PolicyCatalog.standard().loader(NO_SECRETS);

  private static Set<String> keys(ConfigSection.Place... places) {
    Set<String> keys = new TreeSet<>();
    for (PolicyFactory<?> f : PolicyCatalog.standard().factories()) {
      if (List.of(places).contains(f.place())) {
        keys.addAll(f.keys());
      }
    }
    return keys;
  }

  @Test
  void aRouteAcceptsTheCoresKeysAndExactlyTheCatalogsRouteKeys() {
    Set<String> expected = new TreeSet<>(Set.of("name", "match", "upstream", "serve", "limits"));
    expected.addAll(keys(ConfigSection.Place.ROUTE, ConfigSection.Place.ROUTE_ONLY));
    assertThat(loader.routeKeys()).containsExactlyElementsOf(expected);
    // The documented set (docs/configuration.md): a feature that loses or renames a key fails here.
    assertThat(loader.routeKeys())
        .containsExactly(
            "auth",
            "client-cert",
            "contract",
            "cors",
            "errors",
            "headers",
            "ip-filter",
            "limits",
            "match",
            "name",
            "public",
            "rate-limit",
            "serve",
            "upstream");
  }

  @Test
  void defaultsAcceptEveryRouteSectionButTheRouteOnlyOnes() {
    Set<String> expected = new TreeSet<>(Set.of("limits"));
    expected.addAll(keys(ConfigSection.Place.ROUTE));
    assertThat(loader.defaultKeys()).containsExactlyElementsOf(expected).doesNotContain("contract");
  }

  @Test
  void theTopLevelAcceptsTheCoresKeysAndTheCatalogsTopSections() {
    assertThat(loader.topKeys())
        .containsAll(keys(ConfigSection.Place.TOP))
        .contains("auth", "bans");
    assertThat(loader.topKeys())
        .containsExactly(
            "access-log",
            "admin",
            "audit",
            "auth",
            "bans",
            "connections",
            "defaults",
            "identity",
            "listen",
            "routes",
            "server",
            "store",
            "tls",
            "trusted-proxies",
            "vault");
  }

  @Test
  void aKeyNoFeatureDeclaresIsAnErrorAtItsPathListingTheKnownKeys() {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                loader.parse(
                    """
                    listen: { https: 127.0.0.1:8443 }
                    tls: { cert: tls.crt, key: tls.key }
                    defaults: { ratelimit: { limit: 5, window: 1s } }
                    bannz: off
                    routes:
                      - name: api
                        public: true
                        match: { path: /** }
                        upstream: "http://127.0.0.1:3000"
                        rate-limits: { limit: 5, window: 1s }
                    """,
                    Path.of("bulwark.yaml"),
                    Path.of(".")));
    assertThat(e).isNotNull();
    assertThat(e.problems().stream().map(Problem::toString))
        .contains(
            "bannz: unknown key (expected one of: " + String.join(", ", loader.topKeys()) + ")",
            "defaults.ratelimit: unknown key (expected one of: auth, client-cert, cors, errors,"
                + " headers, ip-filter, limits, public, rate-limit)",
            "routes[0].rate-limits: unknown key (expected one of: auth, client-cert, contract,"
                + " cors, errors, headers, ip-filter, limits, match, name, public, rate-limit,"
                + " serve, upstream)");
  }

  @Test
  void everyFeatureHasAUniqueNameKeysAndStagesInStageOrder() {
    Set<String> names = new HashSet<>();
    for (PolicyFactory<?> f : PolicyCatalog.standard().factories()) {
      assertThat(names.add(f.name())).as("unique name %s", f.name()).isTrue();
      assertThat(f.keys()).as(f.name()).isNotEmpty();
      assertThat(f.stages()).as(f.name()).isNotEmpty().isSorted();
      assertThat(f.type().isInstance(f.absent())).as(f.name()).isTrue();
    }
  }

  @Test
  void twoFeaturesClaimingOneKeyAreRefused() {
    assertThatThrownBy(
            () -> new ConfigLoader(NO_SECRETS, List.of(new HeadersFactory(), new HeadersFactory())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("headers");
  }

  /** A whole new feature, as a test: it sets a greeting header on its routes' responses. */
  static final class GreetingFactory implements PolicyFactory<String> {
    @Override
    public String name() {
      return "greeting";
    }

    @Override
    public List<Stage> stages() {
      return List.of(Stage.IDEMPOTENCY);
    }

    @Override
    public Place place() {
      return Place.ROUTE;
    }

    @Override
    public List<String> keys() {
      return List.of("greeting");
    }

    @Override
    public Class<String> type() {
      return String.class;
    }

    @Override
    public String absent() {
      return "";
    }

    @Override
    public String read(ConfigNode holder, String inherited, ReadContext context) {
      return holder.get("greeting").string("a greeting", inherited);
    }

    @Override
    public Compilation compile(GatewayContext gateway) {
      return route -> {
        String greeting = route.section(String.class);
        if (greeting.isEmpty()) {
          return List.of();
        }
        return List.of(
            new Policy() {
              @Override
              public Stage stage() {
                return Stage.IDEMPOTENCY;
              }

              @Override
              public String name() {
                return "greeting";
              }

              @Override
              public void onResponse(Exchange exchange, ResponseHead head) {
                head.headers().set("x-greeting", greeting);
              }
            });
      };
    }
  }

  @Test
  void aNewFeatureIsItsOwnFactoryPlusOneCatalogLine() throws Exception {
    List<PolicyFactory<?>> factories = new ArrayList<>(PolicyCatalog.standard().factories());
    factories.add(new GreetingFactory()); // the one line
    PolicyCatalog catalog = PolicyCatalog.of(factories);
    Path dir = Files.createTempDirectory("catalog");
    SelfSignedCertificate.generate(dir, List.of("localhost"));
    ConfigLoader extended = catalog.loader(NO_SECRETS);
    assertThat(extended.routeKeys()).contains("greeting");
    BulwarkConfig config =
        extended
            .parse(
                """
                listen: { https: 127.0.0.1:8443 }
                tls: { cert: tls.crt, key: tls.key }
                defaults: { greeting: hello }
                routes:
                  - { name: a, public: true, match: { path: /a }, upstream: "http://127.0.0.1:3000" }
                  - name: b
                    public: true
                    match: { path: /b }
                    upstream: "http://127.0.0.1:3000"
                    greeting: hi
                """,
                dir.resolve("bulwark.yaml"),
                dir)
            .config();
    List<RouteConfig> routes = config.routes();
    assertThat(routes.get(0).section(String.class)).isEqualTo("hello");
    assertThat(routes.get(1).section(String.class)).isEqualTo("hi");
    Compilation greeting;
    try (Stores stores = Stores.embedded();
        BlockingExecutor blocking = new BlockingExecutor(1, 1, new SimpleMeterRegistry())) {
      greeting =
          new GreetingFactory()
              .compile(
                  new GatewayContext(
                      config,
                      stores,
                      SecurityEvents.of(new SecurityLog(line -> {})),
                      new UpstreamIdentity(false, AssertionKeys.generate(), "backend", 60),
                      blocking,
                      Clock.systemUTC()));
    }
    FakeExchange fx =
        FakeExchange.get("/b").upstream(200).run(greeting.route(RouteContext.of(routes.get(1))));
    assertThat(fx.responseHeaders().get("x-greeting")).isEqualTo("hi");
  }
}
