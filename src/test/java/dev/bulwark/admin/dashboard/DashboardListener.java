package dev.bulwark.admin.dashboard;

import dev.bulwark.admin.AdminAuthentication;
import dev.bulwark.admin.AdminRouter;
import dev.bulwark.admin.OperatorBans;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.config.AdminConfig;
import dev.bulwark.config.Problem;
import dev.bulwark.identity.login.LoginThrottle;
import dev.bulwark.identity.login.ThrottleSettings;
import dev.bulwark.identity.password.Argon2Cost;
import dev.bulwark.identity.password.PasswordHasher;
import dev.bulwark.identity.totp.TotpSettings;
import dev.bulwark.identity.totp.TotpVerifier;
import dev.bulwark.server.SelfSignedCertificate;
import dev.bulwark.store.memory.MemoryAccountStore;
import dev.bulwark.store.memory.MemoryBanStore;
import dev.bulwark.store.memory.MemoryOrganisationStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * The dashboard on a real admin router and Vert.x listener (loopback, ephemeral port, plain or TLS)
 * over a memory ban store, with the security events kept, a token a test may set, and a clock that
 * a test moves by hand (for the throttle and the sessions).
 */
final class DashboardListener implements AutoCloseable {
  static final String TOKEN = "dashboard-token-for-tests-0123456789abcdef";
  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

  final Vertx vertx = Vertx.vertx();
  final AtomicReference<AdminConfig> config = new AtomicReference<>(AdminConfig.NONE);
  final List<SecurityEvent> published = new CopyOnWriteArrayList<>();
  final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final MemoryBanStore bans = new MemoryBanStore(1000, 1000);
  final RecentEvents recent = new RecentEvents(100);
  final RecentAlerts alerts = new RecentAlerts(10);
  final SecurityEvents security;
  final DashboardSessions sessions;
  private final HttpServer server;
  private final boolean tls;
  private final HttpClient client;

  final MemoryOrganisationStore organisations = new MemoryOrganisationStore(100);
  final MemoryAccountStore accounts = new MemoryAccountStore(100, organisations);
  final PasswordHasher hasher = new PasswordHasher(new Argon2Cost(1024, 1, 1));
  private final BlockingExecutor blocking = new BlockingExecutor(2, 64, new SimpleMeterRegistry());

  DashboardListener(int maxFailures, @Nullable SelfSignedCertificate cert) throws Exception {
    this(maxFailures, cert, LENIENT);
  }

  /** A login throttle that never holds anyone back (tests of the throttle give their own). */
  static final ThrottleSettings LENIENT =
      new ThrottleSettings(
          Duration.ofMinutes(15),
          1000,
          1000,
          1000,
          Duration.ofSeconds(1),
          Duration.ofMinutes(5),
          Duration.ZERO,
          1000,
          1000,
          1000);

  DashboardListener(int maxFailures, @Nullable SelfSignedCertificate cert, ThrottleSettings login)
      throws Exception {
    this.tls = cert != null;
    security = new SecurityEvents(List.of(published::add, recent), nanos::get);
    AdminAuthentication auth =
        new AdminAuthentication(
            config::get,
            security,
            vertx,
            registry,
            new AdminAuthentication.Throttle(Duration.ZERO, maxFailures, Duration.ofMinutes(1)));
    sessions = new DashboardSessions(Duration.ofMinutes(15), Duration.ofHours(8), 3, nanos::get);
    Dashboard.Sources sources =
        new Dashboard.Sources(
            auth,
            new TwoFactorSignIn(
                config::get,
                organisations,
                new TwoFactorSignIn.Services(
                    accounts,
                    () -> hasher,
                    blocking,
                    new LoginThrottle(login, bans, security, nanos::get),
                    new TotpVerifier(TotpSettings.DEFAULTS),
                    security,
                    vertx,
                    Clock.systemUTC())),
            recent,
            alerts,
            new OperatorBans(bans, security),
            registry,
            () -> "listen https=0.0.0.0:8443 admin=127.0.0.1:9090\nroute api -> <upstream>",
            () ->
                List.of(
                    new Problem(
                        Problem.Severity.WARNING, "routes[0]", "no rate limit <b>here</b>")));
    AdminRouter router = new Dashboard(sources, sessions).routes(AdminRouter.builder(auth)).build();
    HttpServerOptions options = new HttpServerOptions();
    if (cert != null) {
      options
          .setSsl(true)
          .setKeyCertOptions(
              new PemKeyCertOptions()
                  .setCertPath(cert.certFile().toString())
                  .setKeyPath(cert.keyFile().toString()));
    }
    server =
        vertx
            .createHttpServer(options)
            .requestHandler(router)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1);
    if (cert != null) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      ks.setCertificateEntry("test", cert.certificate());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      b.sslContext(ssl);
    }
    client = b.build();
  }

  static DashboardListener plain() throws Exception {
    return new DashboardListener(3, null);
  }

  DashboardListener requireToken() {
    config.set(AdminConfig.withToken(TOKEN));
    return this;
  }

  String origin() {
    return (tls ? "https://localhost:" : "http://127.0.0.1:") + server.actualPort();
  }

  HttpResponse<String> send(String method, String path, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(origin() + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body.isEmpty()
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path, String... headers)
      throws IOException, InterruptedException {
    return send("GET", path, "", headers);
  }

  /** Posts a form from the listener's own origin, with {@code cookie} when not null. */
  HttpResponse<String> post(String path, @Nullable String cookie, String... fields)
      throws IOException, InterruptedException {
    return postFrom(origin(), path, cookie, fields);
  }

  HttpResponse<String> postFrom(
      @Nullable String origin, String path, @Nullable String cookie, String... fields)
      throws IOException, InterruptedException {
    StringBuilder form = new StringBuilder();
    for (int i = 0; i < fields.length; i += 2) {
      form.append(form.length() == 0 ? "" : "&")
          .append(URLEncoder.encode(fields[i], StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(fields[i + 1], StandardCharsets.UTF_8));
    }
    List<String> h = new ArrayList<>(List.of("content-type", "application/x-www-form-urlencoded"));
    if (origin != null) {
      h.addAll(List.of("origin", origin));
    }
    if (cookie != null) {
      h.addAll(List.of("cookie", cookie));
    }
    return send("POST", path, form.toString(), h.toArray(String[]::new));
  }

  /** Signs in and returns the cookie pair ({@code name=value}) to send back. */
  String signIn() throws IOException, InterruptedException {
    HttpResponse<String> r =
        java.util.Objects.requireNonNull(config.get()).tokenRequired()
            ? post("/dashboard/sign-in", null, "token", TOKEN)
            : post("/dashboard/sign-in", null);
    if (r.statusCode() != 303) {
      throw new AssertionError("sign-in answered " + r.statusCode() + ": " + r.body());
    }
    String setCookie = r.headers().firstValue("set-cookie").orElseThrow();
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  /** Returns the CSRF token of the dashboard page seen with {@code cookie}. */
  String csrf(String cookie) throws IOException, InterruptedException {
    HttpResponse<String> page = get("/dashboard", "cookie", cookie);
    Matcher m = CSRF.matcher(page.body());
    if (page.statusCode() != 200 || !m.find()) {
      throw new AssertionError("no dashboard page: " + page.statusCode());
    }
    return m.group(1);
  }

  /** Sends raw bytes (plain listener) and returns everything answered until the listener closes. */
  String raw(String request) throws IOException {
    try (java.net.Socket s =
        new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), server.actualPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @Override
  public void close() throws Exception {
    blocking.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
