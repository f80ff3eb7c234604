package dev.bulwark.server;

import dev.bulwark.admin.AccountSessions;
import dev.bulwark.admin.AccountsApi;
import dev.bulwark.admin.AdminAuthentication;
import dev.bulwark.admin.AdminEndpoints;
import dev.bulwark.admin.AdminRouter;
import dev.bulwark.admin.AuditEventsApi;
import dev.bulwark.admin.OperatorBans;
import dev.bulwark.admin.OrganisationsApi;
import dev.bulwark.admin.dashboard.Dashboard;
import dev.bulwark.admin.dashboard.RecentAlerts;
import dev.bulwark.admin.dashboard.RecentEvents;
import dev.bulwark.admin.dashboard.TwoFactorSignIn;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventSink;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.audit.alert.Alerting;
import dev.bulwark.audit.trail.AuditTrail;
import dev.bulwark.audit.trail.CheckpointKey;
import dev.bulwark.audit.trail.PostgresTrail;
import dev.bulwark.audit.trail.PostgresTrailReader;
import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.config.AuditConfig;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.HostPort;
import dev.bulwark.config.KeyCertificatePair;
import dev.bulwark.config.Problem;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.config.TlsConfig;
import dev.bulwark.endpoint.EndpointCatalog;
import dev.bulwark.identity.AssertionKeys;
import dev.bulwark.identity.IdentitySettings;
import dev.bulwark.identity.password.Argon2Cost;
import dev.bulwark.identity.password.PasswordHasher;
import dev.bulwark.identity.password.PasswordPolicy;
import dev.bulwark.identity.tokens.TokenKeys;
import dev.bulwark.identity.tokens.TokenService;
import dev.bulwark.identity.tokens.TokensConfig;
import dev.bulwark.observe.GatewayMetrics;
import dev.bulwark.observe.LogSink;
import dev.bulwark.observe.SecurityLog;
import dev.bulwark.pipeline.RecentDecisions;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.store.StoreUnavailable;
import dev.bulwark.store.Stores;
import dev.bulwark.store.postgres.PostgresStore;
import dev.bulwark.store.postgres.PostgresStores;
import dev.bulwark.store.sealed.SealRefused;
import dev.bulwark.store.sqlite.SqliteStores;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * A running gateway: the HTTPS listener on every event loop, the redirect and admin listeners, and
 * the current compiled configuration, which {@link #reload()} swaps atomically (a refused file
 * leaves the running one in place).
 */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

  static {
    // WebSocket upgrades are not proxied yet; with this off they are ordinary requests.
    System.setProperty("vertx.disableWebsockets", "true");
  }

  /** Every feature the gateway reads, compiles and runs. */
  private static final PolicyCatalog CATALOG = PolicyCatalog.standard();

  /** How often the token-signing key is checked for rotation. */
  private static final long TOKEN_KEY_CHECK_MILLIS = 60_000;

  private final PolicyCatalog catalog;
  private final BlockingExecutor blocking;

  private final Vertx vertx;
  private volatile CompiledGateway current;
  private final GatewayMetrics metrics;
  private final LogSink sink;
  private final @Nullable Path configFile;
  private final SecretResolver secrets;
  private final Stores stores;
  private final @Nullable AuditTrail audit;
  private final @Nullable PostgresTrail postgresAudit;
  private final Alerting alerting;
  private final Dashboards dashboards;
  private final ConnectionCaps caps;
  private final AssertionKeys assertionKeys;
  private final CompiledGateway.Services services;
  private final List<HttpServer> httpsServers = new CopyOnWriteArrayList<>();
  private volatile int httpsPort;
  private volatile int httpPort = -1;
  private volatile int adminPort = -1;
  private volatile @Nullable HttpServer adminServer;
  private volatile @Nullable ConfigWatcher watcher;
  private final SecretRotation rotation;
  private volatile boolean draining;

  private Gateway(
      Vertx vertx,
      CompiledGateway compiled,
      GatewayMetrics metrics,
      LogSink sink,
      @Nullable Path configFile,
      SecretResolver secrets,
      Stores stores,
      AssertionKeys assertionKeys,
      PolicyCatalog catalog,
      CompiledGateway.Services services,
      @Nullable AuditTrail audit,
      @Nullable PostgresTrail postgresAudit,
      Alerting alerting,
      Dashboards dashboards) {
    this.vertx = vertx;
    this.audit = audit;
    this.postgresAudit = postgresAudit;
    this.alerting = alerting;
    this.dashboards = dashboards;
    this.catalog = catalog;
    this.services = services;
    this.blocking = services.blocking();
    this.assertionKeys = assertionKeys;
    this.current = compiled;
    this.metrics = metrics;
    this.sink = sink;
    this.configFile = configFile;
    this.secrets = secrets;
    this.stores = stores;
    this.caps = new ConnectionCaps(this::compiled, metrics.registry(), stores.connections());
    this.rotation = new SecretRotation(this, secrets, services.security(), metrics.registry());
  }

  /**
   * Starts a gateway and waits until every listener is bound; {@code configFile}, when given, is
   * what {@link #reload()} reads again.
   */
  public static Gateway start(
      BulwarkConfig config, @Nullable Path configFile, LogSink sink, SecretResolver secrets)
      throws Exception {
    return start(config, configFile, sink, secrets, CATALOG);
  }

  /**
   * Starts a gateway of the features in {@code catalog}, which must be the catalog that read {@code
   * config} (a test or an embedding adds features of its own).
   */
  public static Gateway start(
      BulwarkConfig config,
      @Nullable Path configFile,
      LogSink sink,
      SecretResolver secrets,
      PolicyCatalog catalog)
      throws Exception {
    GatewayMetrics metrics = new GatewayMetrics();
    // First: a data directory that cannot be opened stops the start before anything runs.
    Stores stores = Stores.open(config.store(), config.maxBans(), metrics.registry());
    AuditTrail audit;
    PostgresTrail postgresAudit;
    // The sink that drops events tells every sink once; the fan-out exists only later.
    AtomicReference<SecurityEvents> fanOut = new AtomicReference<>();
    SecurityEventSink alarm =
        e -> {
          SecurityEvents s = fanOut.get();
          if (s != null) {
            s.publish(e);
          }
        };
    try {
      audit = openAudit(config, stores, metrics);
      if (audit != null) {
        audit.alarmOnDrop(alarm);
      }
      try {
        postgresAudit = openPostgresAudit(config, stores, metrics, alarm);
      } catch (RuntimeException e) {
        if (audit != null) {
          audit.close();
        }
        throw e;
      }
    } catch (RuntimeException e) {
      stores.close();
      throw e;
    }
    int loops =
        config.server().eventLoops() > 0
            ? config.server().eventLoops()
            : Math.max(1, Runtime.getRuntime().availableProcessors());
    Vertx vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(loops)
                .setWorkerPoolSize(4)
                .setPreferNativeTransport(true)
                // One class loader (the jar): no need to swap the context loader per dispatch.
                .setDisableTCCL(true)
                // No class-path file cache: it adds a JVM shutdown hook, which fails the start
                // when a SIGTERM came first (the gateway serves no files from its class path).
                .setFileSystemOptions(
                    new io.vertx.core.file.FileSystemOptions()
                        .setClassPathResolvingEnabled(false)));
    metrics.watchLogSink(sink);
    AssertionKeys keys = AssertionKeys.generate();
    Dashboards dashboards =
        new Dashboards(
            new RecentEvents(RecentEvents.DEFAULT_CAPACITY),
            new RecentAlerts(RecentAlerts.DEFAULT_CAPACITY));
    Alerting alerting =
        Alerting.start(
            config.alerts(),
            GatewayName.of(),
            sink::write,
            metrics.registry(),
            dashboards.alerts());
    BlockingExecutor blocking =
        new BlockingExecutor(
            config.server().blockingThreads(), config.server().blockingQueue(), metrics.registry());
    List<SecurityEventSink> sinks = new ArrayList<>();
    sinks.add(new SecurityLog(sink));
    if (audit != null) {
      sinks.add(audit);
    }
    if (postgresAudit != null) {
      sinks.add(postgresAudit);
    }
    sinks.add(alerting.sink());
    sinks.add(dashboards.events());
    SecurityEvents security = new SecurityEvents(sinks);
    fanOut.set(security);
    CompiledGateway.Services services =
        new CompiledGateway.Services(
            security,
            Clock.systemUTC(),
            RecentDecisions.of(config.server().explainRecent(), Clock.systemUTC()),
            blocking);
    Gateway gw =
        new Gateway(
            vertx,
            CompiledGateway.compile(config, catalog, metrics, sink, stores, keys, services),
            metrics,
            sink,
            configFile,
            secrets,
            stores,
            keys,
            catalog,
            services,
            audit,
            postgresAudit,
            alerting,
            dashboards);
    vertx.setPeriodic(config.upstreamIdentity().assertionRotate().toMillis(), t -> keys.rotate());
    gw.rotateTokenKeys();
    vertx.setPeriodic(TOKEN_KEY_CHECK_MILLIS, t -> gw.rotateTokenKeys());
    // Thinned runs of security events that went quiet hand on their held-back count.
    vertx.setPeriodic(1000, t -> security.flushRepeats());
    metrics.certificateServed(config.tls().pair().notAfter());
    try {
      gw.listen(loops).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      gw.close();
      throw e.getCause() instanceof ListenException l ? l : e;
    } catch (Exception e) {
      gw.close();
      throw e;
    }
    config.startupNotes().forEach(LOG::info);
    return gw;
  }

  /**
   * Opens the audit trail when {@code audit.file} is set (the loader has made sure the store is the
   * encrypted embedded one), with the checkpoint key kept in the data directory.
   *
   * @throws StoreUnavailable with one line naming the file when it cannot be used
   */
  private static @Nullable AuditTrail openAudit(
      BulwarkConfig config, Stores stores, GatewayMetrics metrics) {
    AuditConfig a = config.audit();
    Path file = a.file();
    Path dataDir = config.store().dataDir();
    SqliteStores embedded = embedded(stores);
    if (file == null || dataDir == null || embedded == null) {
      return null;
    }
    try {
      CheckpointKey key = CheckpointKey.loadOrCreate(dataDir, embedded.keyring());
      AuditTrail trail =
          AuditTrail.open(
              new AuditTrail.Settings(
                  file,
                  a.checkpointEvery(),
                  a.checkpointInterval(),
                  a.queue(),
                  new AuditTrail.Rotation(a.rotateSize(), a.rotateInterval()),
                  new AuditTrail.Retention(a.retainFiles(), a.retainAge())),
              embedded.keyring(),
              key,
              metrics.registry());
      // FINE, like the other start-up notes: a demo whose port is taken must fail in one line.
      LOG.fine(
          "audit trail: "
              + file
              + " (checkpoints signed by the Ed25519 key in "
              + dataDir.resolve("audit-signing.pub")
              + ")");
      return trail;
    } catch (UncheckedIOException | IllegalStateException | SealRefused e) {
      throw new StoreUnavailable("audit.file: " + e.getMessage());
    }
  }

  /** Returns the embedded store, alone or beside PostgreSQL, or null when there is none. */
  private static @Nullable SqliteStores embedded(Stores stores) {
    if (stores instanceof SqliteStores s) {
      return s;
    }
    return stores instanceof PostgresStores p && p.base() instanceof SqliteStores s ? s : null;
  }

  /**
   * Opens the PostgreSQL sink when {@code audit.postgres} is on (the loader has made sure {@code
   * store.postgres} is set): records sealed under the database's data keys, checkpoints signed by
   * the key kept (sealed) in its chain row.
   *
   * @throws StoreUnavailable with one line naming the database when it cannot be used
   */
  private static @Nullable PostgresTrail openPostgresAudit(
      BulwarkConfig config, Stores stores, GatewayMetrics metrics, SecurityEventSink alarm) {
    AuditConfig a = config.audit();
    if (!a.postgres() || !(stores instanceof PostgresStores p)) {
      return null;
    }
    PostgresStore db = p.postgres();
    try {
      PostgresTrail trail =
          PostgresTrail.open(
              new PostgresTrail.Settings(
                  db.location(),
                  a.checkpointEvery(),
                  a.checkpointInterval(),
                  a.queue(),
                  a.postgresRetention()),
              db,
              db.keyring(),
              metrics.registry(),
              alarm);
      LOG.info(
          "audit trail: "
              + db.location()
              + " table audit_records (trail "
              + trail.trail()
              + "; checkpoints signed by the Ed25519 public key "
              + trail.publicKey()
              + ": keep a copy for bulwark audit verify --public-key)");
      return trail;
    } catch (IllegalStateException | SealRefused e) {
      throw new StoreUnavailable("audit.postgres: " + e.getMessage());
    }
  }

  private Future<?> listen(int loops) {
    BulwarkConfig config = current.config();
    HostPort https = config.listen().https();
    int port = https.port() == 0 && loops > 1 ? -1 : https.port();
    SecurityEvents security = services.security();
    Handler<Throwable> handshakeFailures = handshakeFailureCounter();
    Future<?> main =
        vertx
            .deployVerticle(
                () ->
                    new GatewayVerticle(
                        this::compiled, security, caps, port, httpsServers::add, handshakeFailures),
                new DeploymentOptions()
                    .setInstances(loops)
                    .setThreadingModel(ThreadingModel.EVENT_LOOP))
            .recover(e -> Future.failedFuture(new ListenException("listen.https", https, e)))
            .onSuccess(id -> httpsPort = httpsServers.get(0).actualPort());
    Future<?> redirect = Future.succeededFuture();
    HostPort http = config.listen().http();
    if (http != null) {
      redirect =
          main.compose(
              x ->
                  vertx
                      .createHttpServer(plainListenerOptions(config))
                      .requestHandler(new RedirectHandler(publicHttpsPort()))
                      .listen(http.port(), http.host())
                      .recover(
                          e -> Future.failedFuture(new ListenException("listen.http", http, e)))
                      .onSuccess(s -> httpPort = s.actualPort()));
    }
    Future<?> admin = Future.succeededFuture();
    HostPort adminAddress = config.listen().admin();
    if (adminAddress != null) {
      HttpServerOptions adminOptions = plainListenerOptions(config);
      TlsConfig adminTls = config.admin().tls().served(config.tls());
      if (adminTls != null) {
        // HTTP/1.1 only: the admin checks read the Host header, which HTTP/2 does not send.
        TlsSetup.apply(adminOptions, adminTls);
        adminOptions.setUseAlpn(false);
      }
      admin =
          vertx
              .createHttpServer(adminOptions)
              .requestHandler(adminRouter(security))
              .listen(adminAddress.port(), adminAddress.host())
              .recover(
                  e -> Future.failedFuture(new ListenException("listen.admin", adminAddress, e)))
              .onSuccess(
                  s -> {
                    adminPort = s.actualPort();
                    adminServer = s;
                  });
    }
    // join, not all: on a failure, wait until every listener has settled, so that closing does not
    // race a bind still in progress (Vert.x then logs "Promise already completed" traces).
    return Future.join(main, redirect, admin);
  }

  /** Returns the admin listener's router, its credential read from the current configuration. */
  private AdminRouter adminRouter(SecurityEvents security) {
    AdminAuthentication authentication =
        new AdminAuthentication(
            () -> current.config().admin(),
            security,
            vertx,
            metrics.registry(),
            AdminAuthentication.Throttle.DEFAULT);
    AdminEndpoints.Sources sources =
        new AdminEndpoints.Sources(
            metrics::scrape,
            () -> !httpsServers.isEmpty() && !draining,
            () -> TokenKeys.jwks(stores.signingKeys(), assertionKeys.jwks()),
            stores.bans(),
            security,
            services.recent()::explain);
    AdminRouter.Builder router =
        AdminEndpoints.register(AdminRouter.builder(authentication), sources);
    ConfigLoader loader = EndpointCatalog.standard().loader(catalog, secrets);
    Dashboard.register(
        router,
        new Dashboard.Sources(
            authentication,
            TwoFactorSignIn.of(
                () -> current.config().admin(),
                stores,
                identitySettings(),
                blocking,
                security,
                vertx),
            dashboards.events(),
            dashboards.alerts(),
            new OperatorBans(stores.bans(), security),
            metrics.registry(),
            this::summary,
            () -> loader.lint(current.config())));
    Path trail = current.config().audit().file();
    SqliteStores embedded = embedded(stores);
    PostgresTrail pg = postgresAudit;
    if (pg != null && stores instanceof PostgresStores p) {
      // The cluster's trail: every gateway's records, not only this one's file.
      PostgresStore db = p.postgres();
      new AuditEventsApi(
              (q, max) ->
                  db.run("audit search", c -> PostgresTrailReader.search(c, db.keyring(), q, max)))
          .register(router);
    } else if (audit != null && trail != null && embedded != null) {
      new AuditEventsApi(trail, embedded.keyring(), blocking).register(router);
    }
    registerIdentityApis(router, security);
    return router.build();
  }

  /**
   * Adds the account and organisation APIs over the gateway's stores, with the password settings
   * and token issuer in force at start (the hasher is made on first use: it costs a hash).
   */
  private void registerIdentityApis(AdminRouter.Builder router, SecurityEvents security) {
    BulwarkConfig config = current.config();
    IdentitySettings identity = identitySettings();
    AccountSessions sessions =
        config.tokens().enabled()
            // The admin API writes its own, durable session-revoked records.
            ? AccountSessions.of(
                TokenService.create(
                    config.tokens(), stores, SecurityEvents.of(), Clock.systemUTC()))
            : AccountSessions.NONE;
    Argon2Cost cost = identity.passwords().argon2();
    AtomicReference<PasswordHasher> hasher = new AtomicReference<>();
    new AccountsApi(
            stores.accounts(),
            stores.organisations(),
            sessions,
            security,
            blocking,
            PasswordPolicy.of(identity.passwords()),
            () -> hasher.updateAndGet(h -> h != null ? h : new PasswordHasher(cost)),
            Clock.systemUTC(),
            invitationMail(identity, security))
        .register(router);
    new OrganisationsApi(stores.organisations(), stores.accounts(), security).register(router);
  }

  /** Returns the identity settings in force at start (the defaults without an identity section). */
  private IdentitySettings identitySettings() {
    IdentitySettings found = current.config().sections().find(IdentitySettings.class);
    return found == null ? IdentitySettings.DEFAULTS : found;
  }

  /**
   * Returns the mail that sends invitations made by the admin API, or null without identity.mail.
   */
  private dev.bulwark.identity.mail.@Nullable AccountMail invitationMail(
      IdentitySettings identity, SecurityEvents security) {
    if (!identity.mail().enabled()) {
      return null;
    }
    var mailer =
        new dev.bulwark.identity.mail.Mailer(identity.mail(), security, metrics.registry());
    mailer.bind(vertx);
    return new dev.bulwark.identity.mail.AccountMail(
        mailer, stores.accounts(), identity.reset(), Clock.systemUTC());
  }

  /** What the dashboard keeps in memory: the recent security events and alerts. */
  private record Dashboards(RecentEvents events, RecentAlerts alerts) {}

  /** Counts failed TLS handshakes by reason; other connection errors are not counted here. */
  private Handler<Throwable> handshakeFailureCounter() {
    Map<HandshakeFailure, Counter> counters = new EnumMap<>(HandshakeFailure.class);
    for (HandshakeFailure f : HandshakeFailure.values()) {
      counters.put(f, metrics.tlsHandshakeFailures(f.label()));
    }
    return failure -> {
      HandshakeFailure reason = HandshakeFailure.of(failure);
      if (reason != null) {
        Objects.requireNonNull(counters.get(reason)).increment();
        LOG.log(Level.FINE, "TLS handshake failed (" + reason.label() + ")", failure);
      }
    };
  }

  /**
   * Options of the redirect and admin listeners: small heads, and connections idle for the header
   * timeout are closed (every answer there is small, so only a trickling client stays idle).
   */
  private static HttpServerOptions plainListenerOptions(BulwarkConfig config) {
    return new HttpServerOptions()
        .setMaxInitialLineLength(config.server().maxUriLength() + 32)
        .setMaxHeaderSize(config.server().maxHeaderSize())
        .setIdleTimeout((int) Math.max(1, config.server().headerTimeout().toSeconds()))
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
  }

  private CompiledGateway compiled() {
    return current;
  }

  /**
   * Makes a new token-signing key when {@code identity.tokens} is on and no key is within its
   * signing period (at start, so the JWKS has it before the first sign-in, and then every minute).
   */
  private void rotateTokenKeys() {
    TokensConfig tokens = current.config().tokens();
    if (!tokens.enabled()) {
      return;
    }
    new TokenKeys(stores.signingKeys(), Clock.systemUTC())
        .rotateIfDue(tokens)
        .whenComplete(
            (made, e) -> {
              if (e != null) {
                LOG.warning(
                    "token-signing key could not be stored ("
                        + e.getMessage()
                        + "); sign-ins fail until the store answers");
              } else if (Boolean.TRUE.equals(made)) {
                LOG.fine("token-signing key made (" + tokens.algorithm() + ")");
              }
            });
  }

  private int publicHttpsPort() {
    return httpsPort;
  }

  /** Returns the bound HTTPS port. */
  public int httpsPort() {
    return httpsPort;
  }

  /** Returns the bound redirect port, or -1 when there is no redirect listener. */
  public int httpPort() {
    return httpPort;
  }

  /** Returns the bound admin port, or -1 when the admin listener is off. */
  public int adminPort() {
    return adminPort;
  }

  /** Returns the gateway's stores (accounts, bans, sessions), for commands and tests. */
  public Stores stores() {
    return stores;
  }

  /** Returns a short description of the I/O transport and TLS engine in use. */
  public String engines() {
    return "transport "
        + (vertx.isNativeTransportEnabled() ? "epoll" : "nio")
        + ", tls "
        + (TlsSetup.engine(current.config().tls()) instanceof io.vertx.core.net.OpenSSLEngineOptions
            ? "BoringSSL"
            : "JDK");
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  /** Returns the configuration currently serving. */
  public BulwarkConfig config() {
    return current.config();
  }

  /** Returns a summary of the compiled configuration, one line per route. */
  public String summary() {
    return current.summary();
  }

  /** Compiles a configuration without starting anything, returning its summary. */
  public static String compileSummary(BulwarkConfig config) {
    GatewayMetrics metrics = new GatewayMetrics();
    try (Stores stores = Stores.embedded();
        BlockingExecutor blocking = new BlockingExecutor(1, 1, metrics.registry())) {
      return CompiledGateway.compile(
              config,
              CATALOG,
              metrics,
              line -> {},
              stores,
              AssertionKeys.generate(),
              CompiledGateway.Services.quiet(line -> {}, blocking))
          .summary();
    } catch (Exception e) {
      throw new IllegalStateException("an embedded store cannot fail to close", e);
    }
  }

  /**
   * Reads the configuration file again and swaps it in; on any error the running configuration
   * stays and the errors are returned.
   */
  public List<Problem> reload() {
    return reload(false).problems();
  }

  /** What one reload did. */
  enum ReloadResult {
    APPLIED,
    REFUSED,
    /** Only the certificate and key were wrong, and the caller asked to wait for the pair. */
    WAITING_FOR_PAIR
  }

  /** The result of one reload and the problems it found. */
  record Reload(ReloadResult result, List<Problem> problems) {}

  /**
   * Reloads; with {@code waitForPair}, a file refused only for its certificate and key (a renewal
   * caught between writing the one and the other) is neither counted nor logged as refused.
   */
  synchronized Reload reload(boolean waitForPair) {
    Path file = configFile;
    if (file == null) {
      return new Reload(
          ReloadResult.REFUSED,
          List.of(new Problem(Problem.Severity.ERROR, "", "no configuration file to reload")));
    }
    ConfigLoader.Loaded loaded;
    ConfigLoader loader = EndpointCatalog.standard().loader(catalog, secrets);
    try {
      loaded = loader.load(file);
    } catch (ConfigException e) {
      if (waitForPair && onlyTlsFiles(e.problems())) {
        return new Reload(ReloadResult.WAITING_FOR_PAIR, e.problems());
      }
      metrics.configReloadFailed();
      LOG.warning(refusal(file, e.problems()));
      return new Reload(ReloadResult.REFUSED, e.problems());
    }
    BulwarkConfig next = loaded.config();
    BulwarkConfig previous = current.config();
    List<String> restartOnly = RestartOnlySettings.changed(previous, next);
    current =
        CompiledGateway.compile(next, catalog, metrics, sink, stores, assertionKeys, services);
    metrics.configReloaded();
    LOG.info(
        "configuration reloaded from "
            + file
            + " ("
            + next.routes().size()
            + (next.routes().size() == 1 ? " route" : " routes")
            + (loaded.warnings().isEmpty() ? "" : ", " + loaded.warnings().size() + " warnings")
            + ")");
    if (!restartOnly.isEmpty()) {
      LOG.warning(
          "reload: "
              + String.join(", ", restartOnly)
              + (restartOnly.size() == 1 ? " takes" : " take")
              + " effect only on restart; the rest is applied");
    }
    for (Problem w : loaded.warnings()) {
      LOG.warning("reload: warning: " + w);
    }
    services
        .security()
        .publish(
            SecurityEvent.configReloaded(
                ConfigFileHash.sha256(file), loader.loosening(previous, next)));
    if (!next.tls().pair().equals(previous.tls().pair())
        || TlsSetup.clientCertificatesChanged(previous, next)) {
      reloadTls(next);
    }
    AdminTlsReload.apply(adminServer, previous, next);
    return new Reload(ReloadResult.APPLIED, loaded.warnings());
  }

  private static boolean onlyTlsFiles(List<Problem> problems) {
    return problems.stream()
        .allMatch(p -> p.path().equals("tls.cert") || p.path().equals("tls.key"));
  }

  /** One line: the file, and its errors (the first few; check-config lists them all). */
  private static String refusal(Path file, List<Problem> problems) {
    StringBuilder sb =
        new StringBuilder("reload refused, the running configuration stays: ")
            .append(file)
            .append(": ");
    int shown = Math.min(3, problems.size());
    for (int i = 0; i < shown; i++) {
      sb.append(i == 0 ? "" : "; ").append(problems.get(i));
    }
    if (problems.size() > shown) {
      sb.append("; and ")
          .append(problems.size() - shown)
          .append(" more (bulwark check-config -c ")
          .append(file)
          .append(" lists them)");
    }
    return sb.toString();
  }

  /** Serves a new certificate and key on new connections (open ones keep their session). */
  private void reloadTls(BulwarkConfig config) {
    KeyCertificatePair pair = config.tls().pair();
    Future.all(
            httpsServers.stream()
                .map(s -> s.updateSSLOptions(TlsSetup.sslOptions(config), true))
                .toList())
        .onSuccess(
            x -> {
              metrics.certificateServed(pair.notAfter());
              LOG.info(
                  "certificate reloaded: " + pair.subject() + ", valid until " + pair.notAfter());
            })
        .onFailure(
            e -> {
              metrics.configReloadFailed();
              LOG.warning("TLS reload failed, the previous certificate stays: " + e.getMessage());
            });
  }

  /** Reads the referenced secrets again now, reloading when one changed (null when none did). */
  @Nullable Reload reloadIfSecretsChanged() {
    return rotation.check();
  }

  /** Watches the configuration and certificate files and SIGHUP, reloading on change. */
  public void watch(Duration interval) {
    watch(interval, ConfigWatcher.PAIR_GRACE);
  }

  /**
   * Watches with a given wait for a consistent certificate and key: while only they are wrong, a
   * change is retried for up to {@code pairGrace} before it counts as refused.
   */
  void watch(Duration interval, Duration pairGrace) {
    rotation.start(vertx, secrets.refreshInterval());
    Path file = configFile;
    if (file == null) {
      return;
    }
    ConfigWatcher w = new ConfigWatcher(vertx, this, file, interval, pairGrace);
    watcher = w;
    w.start();
  }

  /** Stops accepting, lets in-flight exchanges finish within the grace period, then stops. */
  @Override
  public void close() {
    draining = true;
    rotation.stop(vertx);
    ConfigWatcher w = watcher;
    if (w != null) {
      w.stop();
    }
    Duration grace = current.config().server().shutdownGrace();
    try {
      Future.all(
              httpsServers.stream()
                  .map(s -> s.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS))
                  .toList())
          .toCompletionStage()
          .toCompletableFuture()
          .get(grace.toMillis() + 5000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.log(Level.FINE, "shutdown did not drain cleanly", e);
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.log(Level.FINE, "vert.x close", e);
    }
    blocking.close();
    services.security().flushAllRepeats(); // no request runs now: count what was held back
    alerting.close();
    if (audit != null) {
      audit.close();
    }
    if (postgresAudit != null) {
      postgresAudit.close();
    }
    try {
      stores.close();
    } catch (Exception e) {
      LOG.log(Level.FINE, "store close", e);
    }
  }
}
