package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.exchange.OfflineRequest;
import dev.bulwark.identity.AssertionKeys;
import dev.bulwark.observe.GatewayMetrics;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.OfflineRun;
import dev.bulwark.pipeline.RecentDecisions;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.store.Stores;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every compile of a configuration shares with the running gateway: one {@link SecurityEvents}
 * for the process (a reload does not make its own), and the ring of recent decisions.
 */
class CompiledGatewayServicesTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  private BulwarkConfig config() throws Exception {
    SelfSignedCertificate.generate(dir, List.of("localhost"));
    Path secret = dir.resolve("secret");
    Files.writeString(secret, "test-only-0123456789abcdef0123456789", StandardCharsets.UTF_8);
    Path file = dir.resolve("bulwark.yaml");
    Files.writeString(
        file,
        """
        listen: { https: 127.0.0.1:0 }
        tls: { cert: %s, key: %s }
        auth:
          issuers:
            ci:
              issuer: https://ci.example.com/
              audience: api.example.com
              algorithms: [HS256]
              secret: ${file:%s}
        routes:
          - name: admin
            match: { path: /admin/** }
            upstream: http://127.0.0.1:3000
            auth: { require: [ "role:admin" ] }
        """
            .formatted(dir.resolve("tls.crt"), dir.resolve("tls.key"), secret),
        StandardCharsets.UTF_8);
    return PolicyCatalog.standard()
        .loader(SecretResolver.fromProcessEnvironment())
        .load(file)
        .config();
  }

  private static CompiledGateway compile(
      BulwarkConfig config, List<String> logged, Stores stores, CompiledGateway.Services services) {
    return CompiledGateway.compile(
        config,
        PolicyCatalog.standard(),
        new GatewayMetrics(),
        logged::add,
        stores,
        AssertionKeys.generate(),
        services);
  }

  private static Decision badToken(CompiledGateway gw) {
    OfflineRequest request =
        OfflineRequest.builder("GET", "/admin/x")
            .host("localhost", -1)
            .header("authorization", "Basic YWRhOnNlY3JldA==")
            .build();
    CompiledRoute route =
        java.util.Objects.requireNonNull(
            gw.match(request, "localhost", "/admin/x", "GET").route(), "the admin route");
    return OfflineRun.of(route, request).run();
  }

  @Test
  void everyCompileOfTheGatewayPublishesThroughItsOneSecurityEvents() throws Exception {
    List<SecurityEvent> seen = new CopyOnWriteArrayList<>();
    List<String> logged = new CopyOnWriteArrayList<>();
    BulwarkConfig config = config();
    try (Stores stores = Stores.embedded();
        BlockingExecutor blocking = new BlockingExecutor(1, 1, new SimpleMeterRegistry())) {
      CompiledGateway.Services services =
          new CompiledGateway.Services(
              SecurityEvents.of(seen::add), Clock.systemUTC(), RecentDecisions.off(), blocking);
      CompiledGateway first = compile(config, logged, stores, services);
      CompiledGateway reloaded = compile(config, logged, stores, services);

      assertThat(badToken(first).status()).isEqualTo(401);
      assertThat(badToken(reloaded).status()).isEqualTo(401);
      // The second is a repeat from the same client, held back until its run is closed.
      services.security().flushAllRepeats();

      assertThat(seen)
          .extracting(SecurityEvent::kind)
          .containsExactly(SecurityEventKind.TOKEN_INVALID, SecurityEventKind.TOKEN_INVALID);
      assertThat(logged).as("no events of a compile's own").isEmpty();
      assertThat(first.recent()).isSameAs(reloaded.recent()).isSameAs(services.recent());
    }
  }
}
