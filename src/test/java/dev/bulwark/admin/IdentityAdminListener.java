package dev.bulwark.admin;

import dev.bulwark.audit.DurableSink;
import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.blocking.BlockingExecutor;
import dev.bulwark.config.AdminConfig;
import dev.bulwark.identity.password.Argon2Cost;
import dev.bulwark.identity.password.PasswordHasher;
import dev.bulwark.identity.password.PasswordPolicy;
import dev.bulwark.identity.password.PasswordSettings;
import dev.bulwark.identity.tokens.TokenService;
import dev.bulwark.identity.tokens.TokensConfig;
import dev.bulwark.store.AccountStore;
import dev.bulwark.store.OrganisationStore;
import dev.bulwark.store.Stores;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The account and organisation APIs on a real admin listener (loopback, ephemeral port) over given
 * stores, with the gateway's token issuer on them, the admin token required, and every security
 * event kept (and handed to a durable sink when one is given).
 */
public final class IdentityAdminListener implements AutoCloseable {
  public static final String TOKEN = "t0k3n-for-tests-only-0123456789abcdefXYZ";

  public static final TokensConfig TOKENS =
      new TokensConfig(
          true,
          "https://auth.example.com",
          "api",
          Duration.ofMinutes(5),
          Duration.ofDays(30),
          Duration.ofDays(7),
          Duration.ZERO,
          TokensConfig.Algorithm.ES256,
          Duration.ofDays(30),
          10);

  public final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
  public final TokenService tokens;
  final Vertx vertx = Vertx.vertx();
  final AtomicReference<AdminConfig> config = new AtomicReference<>(AdminConfig.withToken(TOKEN));
  private final HttpServer server;
  private final HttpClient client = HttpClient.newHttpClient();

  public IdentityAdminListener(Stores stores, @Nullable DurableSink durable) throws Exception {
    this(stores.accounts(), stores.organisations(), stores, durable);
  }

  IdentityAdminListener(
      AccountStore accounts,
      OrganisationStore organisations,
      Stores stores,
      @Nullable DurableSink durable)
      throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<dev.bulwark.audit.SecurityEventSink> sinks = new ArrayList<>();
    sinks.add(events::add);
    if (durable != null) {
      sinks.add(durable);
    }
    SecurityEvents security = new SecurityEvents(sinks);
    tokens = TokenService.create(TOKENS, stores, SecurityEvents.of(events::add), Clock.systemUTC());
    AdminAuthentication auth =
        new AdminAuthentication(
            config::get,
            security,
            vertx,
            registry,
            new AdminAuthentication.Throttle(Duration.ZERO, 1000, Duration.ofMinutes(1)));
    PasswordHasher hasher = new PasswordHasher(new Argon2Cost(8 * 1024, 1, 1));
    AdminRouter.Builder router = AdminRouter.builder(auth);
    new AccountsApi(
            accounts,
            organisations,
            AccountSessions.of(tokens),
            security,
            new BlockingExecutor(2, 16, registry),
            PasswordPolicy.of(PasswordSettings.DEFAULTS),
            () -> hasher,
            Clock.systemUTC())
        .register(router);
    new OrganisationsApi(organisations, accounts, security).register(router);
    AdminRouter built = router.build();
    server =
        vertx
            .createHttpServer()
            .requestHandler(built)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  public int port() {
    return server.actualPort();
  }

  /** Sends a call with the admin token (JSON when there is a body). */
  public HttpResponse<String> send(String method, String path, @Nullable String json)
      throws Exception {
    return send(method, path, json, "Bearer " + TOKEN);
  }

  /** Sends a call with the given authorization (none when null). */
  public HttpResponse<String> send(
      String method, String path, @Nullable String json, @Nullable String authorization)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
            .timeout(Duration.ofSeconds(20))
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      b.header("content-type", "application/json");
    }
    if (authorization != null) {
      b.header("authorization", authorization);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Sends a request line and headers (the admin token added) then {@code body} over a raw socket,
   * and returns what the listener answers until it closes or stays silent; a body the listener
   * stops reading is cut off.
   */
  public String raw(String requestLine, String headers, byte[] body) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port())) {
      s.setSoTimeout(10_000);
      java.io.OutputStream out = s.getOutputStream();
      String head =
          requestLine
              + "\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
              + TOKEN
              + "\r\n"
              + headers
              + "Content-Length: "
              + body.length
              + "\r\n\r\n";
      out.write(head.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      try {
        for (int i = 0; i < body.length; i += 8192) {
          out.write(body, i, Math.min(8192, body.length - i));
        }
        out.flush();
      } catch (java.io.IOException closedByTheListener) {
        // expected when it refuses the body early
      }
      java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      try {
        int n;
        while ((n = s.getInputStream().read(buf)) > 0) {
          got.write(buf, 0, n);
          if (got.toString(java.nio.charset.StandardCharsets.ISO_8859_1).contains("}")) {
            break;
          }
        }
      } catch (java.io.IOException end) {
        // the listener closed or reset: what arrived is the answer
      }
      return got.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
