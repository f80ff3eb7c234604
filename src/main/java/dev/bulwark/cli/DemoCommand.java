package dev.bulwark.cli;

import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.demo.DemoClientCertificates;
import dev.bulwark.demo.DemoConfig;
import dev.bulwark.demo.DemoIssuer;
import dev.bulwark.demo.DemoUpstream;
import dev.bulwark.demo.DemoUsers;
import dev.bulwark.endpoint.EndpointCatalog;
import dev.bulwark.observe.ConsoleLogging;
import dev.bulwark.observe.StdoutLogSink;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.server.Gateway;
import dev.bulwark.server.ListenException;
import dev.bulwark.server.SelfSignedCertificate;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bulwark demo}: a working gateway in one command, with a demo upstream behind it. A default
 * port that is busy is replaced by a free one (a port given on the command line is used as given).
 */
@Command(
    name = "demo",
    description = {
      "Run a demo gateway (self-signed TLS, demo upstream, every policy on).",
      "Exit codes: 1 the demo could not be set up, 2 usage error, 3 a port given on the command"
          + " line is in use; stopped by a signal, the signal's (143, 130)."
    },
    mixinStandardHelpOptions = true)
final class DemoCommand implements Callable<Integer> {
  // Held strongly: a level set through a dropped logger reference could be lost to GC.
  private static final Logger ROOT = Logger.getLogger("");
  private static final Logger SERVER = Logger.getLogger("dev.bulwark.server");

  @Option(
      names = "--https-port",
      defaultValue = "8443",
      description = "HTTPS port (default: ${DEFAULT-VALUE}, or a free one when it is busy).")
  int httpsPort;

  @Option(
      names = "--http-port",
      defaultValue = "8080",
      description = "Redirect port (default: ${DEFAULT-VALUE}, or a free one when it is busy).")
  int httpPort;

  @Option(
      names = "--admin-port",
      defaultValue = "9090",
      description = "Admin port (default: ${DEFAULT-VALUE}, or a free one when it is busy).")
  int adminPort;

  @Option(
      names = "--dir",
      description = "Where to write the demo certificate and config (default: a new temp dir).")
  @Nullable Path dir;

  @CommandLine.Spec
  @SuppressWarnings("NullAway.Init")
  CommandLine.Model.CommandSpec spec;

  /** A running demo: the gateway, its log sink, the demo upstream, and what to print. */
  record Running(Gateway gateway, StdoutLogSink sink, Vertx upstream, String banner)
      implements AutoCloseable {
    @Override
    public void close() {
      gateway.close();
      sink.close();
      upstream.close();
    }
  }

  @Override
  public Integer call() throws Exception {
    showReloadsOnConsole();
    PrintWriter err = spec.commandLine().getErr();
    Running demo;
    try {
      demo = start();
    } catch (ListenException e) {
      return RunCommand.cannotStart("bulwark demo", e, err);
    } catch (ConfigException e) {
      CheckConfigCommand.print(e.problems(), err);
      return 1;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(demo.banner());
    out.flush();
    RunCommand.awaitShutdown(demo.gateway(), demo.sink());
    demo.upstream().close();
    return 0;
  }

  /**
   * Sends warnings, and the gateway's own reload lines (a reload is confirmed, a refused one
   * explained), to standard error.
   */
  static void showReloadsOnConsole() {
    ConsoleLogging.install(Level.INFO);
    ROOT.setLevel(Level.WARNING);
    SERVER.setLevel(Level.INFO);
  }

  /** Writes the demo's files, starts its upstream and gateway, and returns them running. */
  Running start() throws Exception {
    Path work = dir != null ? dir : Files.createTempDirectory("bulwark-demo-");
    SelfSignedCertificate cert = SelfSignedCertificate.generate(work, List.of("localhost"));
    List<String> notes = new ArrayList<>();
    int https = port("--https-port", httpsPort, notes);
    int http = port("--http-port", httpPort, notes);
    int admin = port("--admin-port", adminPort, notes);
    Vertx upstreamVertx = Vertx.vertx();
    try {
      HttpServer upstream =
          DemoUpstream.start(upstreamVertx, 0)
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      Path configFile = work.resolve("bulwark.yaml");
      DemoIssuer issuer = DemoIssuer.generate(work);
      DemoClientCertificates.generate(work);
      DemoConfig.writeMasterKey(work);
      String adminToken = DemoConfig.writeAdminToken(work);
      Files.writeString(
          configFile,
          DemoConfig.withAuditAndAdmin(
              DemoConfig.yaml(
                  cert.certFile(),
                  cert.keyFile(),
                  https,
                  http,
                  admin,
                  upstream.actualPort(),
                  work.resolve(DemoIssuer.PUBLIC_FILE),
                  writeContractAndSigningKey(work),
                  work.resolve(DemoClientCertificates.CA_FILE)),
              work),
          StandardCharsets.UTF_8);
      ConfigLoader.Loaded loaded =
          EndpointCatalog.standard()
              .loader(PolicyCatalog.standard(), SecretResolver.fromProcessEnvironment())
              .load(configFile);
      StdoutLogSink sink = new StdoutLogSink();
      Gateway gateway;
      try {
        gateway =
            Gateway.start(
                loaded.config(), configFile, sink, SecretResolver.fromProcessEnvironment());
      } catch (Exception e) {
        sink.close();
        throw e;
      }
      gateway.watch(Duration.ofSeconds(2));
      String token =
          issuer.mint("demo-admin", List.of("admin"), List.of("acme"), Duration.ofHours(12));
      DemoUsers.Created users = DemoUsers.create(gateway.stores().accounts());
      return new Running(
          gateway,
          sink,
          upstreamVertx,
          banner(
              gateway,
              configFile,
              cert.certFile(),
              token,
              work,
              notes,
              DemoConfig.writeFixtures(work),
              users,
              adminToken));
    } catch (Exception e) {
      upstreamVertx.close();
      throw e;
    }
  }

  private static Path writeContractAndSigningKey(Path work) throws IOException {
    DemoConfig.writeSigningKey(work);
    return DemoConfig.writeContract(work);
  }

  /**
   * Returns the port to configure: the one asked for, or 0 (any free port) when a default is busy,
   * with a note saying so.
   */
  private int port(String option, int requested, List<String> notes) {
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    boolean given = parsed != null && parsed.hasMatchedOption(option);
    if (given || requested == 0 || free(requested)) {
      return requested;
    }
    notes.add(
        "port "
            + requested
            + " is busy, so a free port is used instead (choose one with "
            + option
            + ")");
    return 0;
  }

  /** Returns whether the port can be bound on the demo's address (it is bound, then let go). */
  private static boolean free(int port) {
    try (ServerSocketChannel s = ServerSocketChannel.open()) {
      s.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String banner(
      Gateway gateway,
      Path configFile,
      Path cert,
      String token,
      Path work,
      List<String> notes,
      Path fixtures,
      DemoUsers.Created users,
      String adminToken) {
    Path data = work.resolve(DemoConfig.DATA_DIR);
    StringBuilder noted = new StringBuilder();
    for (String n : notes) {
      noted.append("  note      ").append(n).append('\n');
    }
    return """
        Bulwark demo is running (self-signed certificate, so curl needs -k).

          gateway   https://localhost:%1$d/api/hello
          redirect  http://localhost:%2$d/  ->  https
          admin     http://127.0.0.1:%3$d/dashboard  /metrics  /healthz  /readyz   (admin token below)
          config    %4$s   (edit and save it: the gateway reloads and says so)
        %7$s
        Security dashboard and audit trail (the admin token of this run: %18$s):
          http://127.0.0.1:%3$d/dashboard                           # open it in a browser; sign in with the admin token
          export BULWARK_ADMIN_TOKEN=%18$s
                                                                    # for curl on the admin port and ./bulwark bans
          ./bulwark audit verify %19$s --public-key %20$s
                                                                    # every security event, sealed, hash-chained and signed: intact
          ./bulwark audit search %19$s -c %4$s --since 1h        # read them (the data directory's keys)

        Grade it from the outside, as any client sees it (expect an A):
          ./bulwark probe https://localhost:%1$d/api/hello --ca-file %8$s --http-port %2$d
                                                                    # add --intrusive for smuggling and slow-header probes

        Try:
          curl -ki https://localhost:%1$d/api/hello                 # strict security headers, X-Request-Id
          curl -ki https://localhost:%1$d/api/boom                  # upstream 500 with a stack trace, masked
          curl -ki https://localhost:%1$d/api/echo -H 'content-type: application/json' -d '{"hi":1}'
          curl -ki https://localhost:%1$d/api/echo -H 'content-type: application/json' -d '{"hi":"x","admin":true}'
                                                                    # 400: the contract lists each violation
          curl -ki https://localhost:%1$d/api/%%2e%%2e/admin           # ambiguous path, refused
          curl -ki https://localhost:%1$d/nothing-here              # no route: JSON 404
          curl -i  http://localhost:%2$d/api/hello?x=1              # 308 to https
          curl -s  -H "Authorization: Bearer $BULWARK_ADMIN_TOKEN" http://127.0.0.1:%3$d/metrics | grep bulwark_requests
          for i in $(seq 30); do curl -ks -o /dev/null -w '%%{http_code} ' https://localhost:%1$d/api/hello; done; echo
                                                                    # 200s, then 429 with Retry-After
          ./bulwark bans -c %4$s list          # the ban list (add, remove too)

        Authentication (tokens from the demo issuer, valid 12 hours):
          curl -ki https://localhost:%1$d/api/admin/stats          # no token: 401
          curl -k -H "Authorization: Bearer %5$s" https://localhost:%1$d/api/admin/stats
          curl -k -H "Authorization: Bearer %5$s" https://localhost:%1$d/api/orgs/acme/orders
          curl -ki -H "Authorization: Bearer %5$s" https://localhost:%1$d/api/orgs/globex/orders   # 403
          ./bulwark token --key %6$s --role admin --org acme           # mint another
          curl -s  http://127.0.0.1:%3$d/.well-known/jwks.json   # keys of the X-Bulwark-Assertion

        Idempotency (send the same Idempotency-Key twice: one payment, the second answer replayed):
          curl -ki https://localhost:%1$d/api/payments -H 'Idempotency-Key: "demo-1"' -H 'content-type: application/json' -d '{"amount":5}'
          curl -ki https://localhost:%1$d/api/payments -H 'content-type: application/json' -d '{"amount":5}'   # no key: 400

        Signed requests (HTTP Message Signatures, HMAC): sign once, send it twice (200, then 401: a replay):
          ./bulwark sign --url https://localhost:%1$d/api/signed/hello --key-id %16$s --key-file %17$s --curl > signed.sh
          CURL_CA_BUNDLE=%8$s sh signed.sh; echo; CURL_CA_BUNDLE=%8$s sh signed.sh

        Mutual TLS (a client certificate generated for this run; its CA key was never kept):
          curl -ki https://localhost:%1$d/api/mtls/hello            # no certificate: 496
          curl -ki --cert %10$s --key %11$s https://localhost:%1$d/api/mtls/hello

        Its own login API (accounts %12$s and %13$s, password %14$s; TOTP secret of %13$s: %15$s):
          curl -ks https://localhost:%1$d/auth/login -H 'content-type: application/json' \\
            -d '{"login":"%12$s","password":"%14$s"}'                # access_token, refresh_token
          curl -ki -H "Authorization: Bearer ACCESS" https://localhost:%1$d/api/me        # 200
          curl -ki -H "Authorization: Bearer ACCESS" https://localhost:%1$d/api/step-up   # 401: step up (needs mfa)
          curl -ks https://localhost:%1$d/auth/login -H 'content-type: application/json' \\
            -d '{"login":"%13$s","password":"%14$s"}'                # mfa_required, mfa_token
          curl -ks https://localhost:%1$d/auth/mfa -H 'content-type: application/json' \\
            -d '{"mfa_token":"MFA_TOKEN","code":"'$(oathtool --totp -b %15$s)'"}'
          curl -ki -H "Authorization: Bearer ACCESS" https://localhost:%1$d/api/step-up   # 200 now
          curl -ks https://localhost:%1$d/auth/refresh -H 'content-type: application/json' -d '{"refresh_token":"REFRESH"}'
          curl -ki https://localhost:%1$d/auth/logout -H 'content-type: application/json' -d '{"refresh_token":"REFRESH"}'

        Its policy as code, checked offline (no listener, no upstream; docs/policy-as-code.md):
          ./bulwark test -c %4$s %9$s
          ./bulwark explain -c %4$s GET /api/admin/stats       # the decision, stage by stage

        Access log lines follow (one JSON line per exchange). Ctrl-C stops.
        """
        .formatted(
            gateway.httpsPort(),
            gateway.httpPort(),
            gateway.adminPort(),
            configFile,
            token,
            work.resolve(DemoIssuer.PRIVATE_FILE),
            noted,
            cert,
            fixtures,
            work.resolve(DemoClientCertificates.CERT_FILE),
            work.resolve(DemoClientCertificates.KEY_FILE),
            DemoUsers.PLAIN,
            DemoUsers.TWO_FACTOR,
            users.password(),
            users.totpSecret(),
            DemoConfig.SIGNING_KEY_ID,
            work.resolve(DemoConfig.SIGNING_KEY_FILE),
            adminToken,
            data.resolve(DemoConfig.AUDIT_FILE),
            data.resolve(DemoConfig.AUDIT_PUBLIC_KEY_FILE));
  }
}
