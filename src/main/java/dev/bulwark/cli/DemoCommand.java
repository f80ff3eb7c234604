package dev.bulwark.cli;

import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.demo.DemoConfig;
import dev.bulwark.demo.DemoIssuer;
import dev.bulwark.demo.DemoUpstream;
import dev.bulwark.observe.ConsoleLogging;
import dev.bulwark.observe.StdoutLogSink;
import dev.bulwark.server.Gateway;
import dev.bulwark.server.SelfSignedCertificate;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bulwark demo}: a working gateway in one command, with a demo upstream behind it. */
@Command(
    name = "demo",
    description = "Run a demo gateway (self-signed TLS, demo upstream, every policy on).",
    mixinStandardHelpOptions = true)
final class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--https-port",
      defaultValue = "8443",
      description = "HTTPS port (default: ${DEFAULT-VALUE}).")
  int httpsPort;

  @Option(
      names = "--http-port",
      defaultValue = "8080",
      description = "Redirect port (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(
      names = "--admin-port",
      defaultValue = "9090",
      description = "Admin port (default: ${DEFAULT-VALUE}).")
  int adminPort;

  @Option(
      names = "--dir",
      description = "Where to write the demo certificate and config (default: a new temp dir).")
  @SuppressWarnings("NullAway.Init")
  Path dir;

  @Override
  public Integer call() throws Exception {
    ConsoleLogging.install(Level.WARNING);
    Path work = dir != null ? dir : Files.createTempDirectory("bulwark-demo-");
    SelfSignedCertificate cert = SelfSignedCertificate.generate(work, List.of("localhost"));
    Vertx upstreamVertx = Vertx.vertx();
    HttpServer upstream =
        DemoUpstream.start(upstreamVertx, 0)
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    Path configFile = work.resolve("bulwark.yaml");
    DemoIssuer issuer = DemoIssuer.generate(work);
    Files.writeString(
        configFile,
        DemoConfig.yaml(
            cert.certFile(),
            cert.keyFile(),
            httpsPort,
            httpPort,
            adminPort,
            upstream.actualPort(),
            work.resolve(DemoIssuer.PUBLIC_FILE),
            DemoConfig.writeContract(work)),
        StandardCharsets.UTF_8);
    ConfigLoader.Loaded loaded;
    try {
      loaded = new ConfigLoader(SecretResolver.fromProcessEnvironment()).load(configFile);
    } catch (ConfigException e) {
      CheckConfigCommand.print(e.problems(), System.err);
      return 1;
    }
    StdoutLogSink sink = new StdoutLogSink();
    Gateway gateway;
    try {
      gateway =
          Gateway.start(loaded.config(), configFile, sink, SecretResolver.fromProcessEnvironment());
    } catch (Exception e) {
      System.err.println(
          "bulwark demo: cannot start ("
              + rootMessage(e)
              + "); choose other ports with --https-port, --http-port, --admin-port");
      upstreamVertx.close();
      return 1;
    }
    gateway.watch(Duration.ofSeconds(2));
    int p = gateway.httpsPort();
    System.out.println(
        """
        Bulwark demo is running (self-signed certificate, so curl needs -k).

          gateway   https://localhost:%1$d/api/hello
          redirect  http://localhost:%2$d/  ->  https
          admin     http://127.0.0.1:%3$d/metrics  /healthz  /readyz
          config    %4$s

        Try:
          curl -ki https://localhost:%1$d/api/hello                 # strict security headers, X-Request-Id
          curl -ki https://localhost:%1$d/api/boom                  # upstream 500 with a stack trace, masked
          curl -ki https://localhost:%1$d/api/echo -H 'content-type: application/json' -d '{"hi":1}'
          curl -ki https://localhost:%1$d/api/echo -H 'content-type: application/json' -d '{"hi":"x","admin":true}'
                                                                    # 400: the contract lists each violation
          curl -ki https://localhost:%1$d/api/%%2e%%2e/admin           # ambiguous path, refused
          curl -ki https://localhost:%1$d/nothing-here              # no route: JSON 404
          curl -i  http://localhost:%2$d/api/hello?x=1              # 308 to https
          curl -s  http://127.0.0.1:%3$d/metrics | grep bulwark_requests
          for i in $(seq 30); do curl -ks -o /dev/null -w '%%{http_code} ' https://localhost:%1$d/api/hello; done; echo
                                                                    # 200s, then 429 with Retry-After
          ./bulwark bans --admin http://127.0.0.1:%3$d list          # the ban list (add, remove too)

        Authentication (tokens from the demo issuer, valid 12 hours):
          curl -ki https://localhost:%1$d/api/admin/stats          # no token: 401
          curl -k -H "Authorization: Bearer %5$s" https://localhost:%1$d/api/admin/stats
          curl -k -H "Authorization: Bearer %5$s" https://localhost:%1$d/api/orgs/acme/orders
          curl -ki -H "Authorization: Bearer %5$s" https://localhost:%1$d/api/orgs/globex/orders   # 403
          bulwark token --key %6$s --role admin --org acme             # mint another
          curl -s  http://127.0.0.1:%3$d/.well-known/jwks.json   # keys of the X-Bulwark-Assertion

        Access log lines follow (one JSON line per exchange). Ctrl-C stops.
        """
            .formatted(
                p,
                gateway.httpPort(),
                gateway.adminPort(),
                configFile,
                issuer.mint("demo-admin", List.of("admin"), List.of("acme"), Duration.ofHours(12)),
                work.resolve(DemoIssuer.PRIVATE_FILE)));
    RunCommand.awaitShutdown(gateway, sink);
    upstreamVertx.close();
    return 0;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage());
  }
}
