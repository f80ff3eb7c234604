package dev.bulwark.policy.authn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.server.SelfSignedCertificate;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Keys from a JWKS URL over verified TLS: rotation, refresh limits, and a misbehaving endpoint. */
class JwksTest {
  enum Mode {
    KEYS,
    DOWN,
    SLOW,
    HUGE,
    GARBAGE
  }

  static final class JwksServer implements AutoCloseable {
    final Vertx vertx = Vertx.vertx();
    final AtomicReference<String> body = new AtomicReference<>("{\"keys\":[]}");
    final AtomicReference<Mode> mode = new AtomicReference<>(Mode.KEYS);
    final AtomicInteger fetches = new AtomicInteger();
    final HttpServer server;

    JwksServer() throws Exception {
      SelfSignedCertificate c = TestGateway.certificate();
      server =
          vertx
              .createHttpServer(
                  new HttpServerOptions()
                      .setSsl(true)
                      .setKeyCertOptions(
                          new PemKeyCertOptions()
                              .setCertPath(c.certFile().toString())
                              .setKeyPath(c.keyFile().toString())))
              .requestHandler(
                  req -> {
                    fetches.incrementAndGet();
                    switch (java.util.Objects.requireNonNull(mode.get())) {
                      case KEYS ->
                          req.response()
                              .putHeader("content-type", "application/json")
                              .end(body.get());
                      case DOWN -> req.response().setStatusCode(503).end();
                      case SLOW -> {} // never answers
                      case HUGE -> req.response().end(Buffer.buffer(new byte[10 * 1024 * 1024]));
                      case GARBAGE -> req.response().end("<html>not json");
                    }
                  })
              .listen(0, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
    }

    String config() throws Exception {
      return """
          # Many refused tokens from one client: the default ban rule would ban it midway.
          bans: off
          auth:
            issuers:
              test:
                issuer: https://id.test.example/
                audience: api
                algorithms: [ES256]
                jwks:
                  url: https://localhost:%d/jwks.json
                  ca: %s
                  refresh: 1s
                  timeout: 2s
          routes:
            - name: api
              match: { path: /api/** }
              upstream: UPSTREAM
              auth: { require: [authenticated] }
          """
          .formatted(server.actualPort(), TestGateway.certificate().certFile());
    }

    @Override
    public void close() {
      vertx.close();
    }
  }

  static int get(TestGateway gw, String token) throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> r =
        gw.client()
            .send(
                HttpRequest.newBuilder(URI.create(gw.url("/api/x")))
                    .header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    return r.statusCode();
  }

  @Test
  void keysAreFetchedCachedAndRefreshedOnANewKidAtMostOncePerInterval() throws Exception {
    Tokens a = new Tokens("key-a");
    Tokens b = new Tokens("key-b");
    try (JwksServer jwks = new JwksServer();
        StubUpstream upstream = new StubUpstream();
        TestGateway gw = TestGateway.start(jwks.config(), upstream.port())) {
      jwks.body.set(a.jwks());
      assertThat(get(gw, a.es256(x -> {}))).isEqualTo(200);
      assertThat(get(gw, a.es256(x -> x.subject("again")))).isEqualTo(200);
      assertThat(jwks.fetches.get()).isEqualTo(1);
      // rotation at the issuer: the new kid triggers one refetch
      Thread.sleep(1100);
      jwks.body.set(b.jwks());
      assertThat(get(gw, b.es256(x -> {}))).isEqualTo(200);
      assertThat(jwks.fetches.get()).isEqualTo(2);
      // a flood of unknown kids costs at most one fetch per refresh interval
      Tokens stranger = new Tokens("unknown");
      long floodStart = System.nanoTime();
      for (int i = 0; i < 20; i++) {
        assertThat(get(gw, stranger.es256(x -> {}))).isEqualTo(401);
      }
      // one refetch per started refresh interval (1s) of the flood, however slow the machine
      long intervals = 1 + Duration.ofNanos(System.nanoTime() - floodStart).toSeconds();
      assertThat(jwks.fetches.get()).isLessThanOrEqualTo(2 + (int) intervals);
      assertThat(jwks.fetches.get()).isLessThan(2 + 20);
      // the endpoint goes down: known keys keep serving
      jwks.mode.set(Mode.DOWN);
      Thread.sleep(1100);
      assertThat(get(gw, stranger.es256(x -> x.subject("s2")))).isEqualTo(401);
      assertThat(get(gw, b.es256(x -> x.subject("still")))).isEqualTo(200);
    }
  }

  @Test
  void aDownSlowHugeOrGarbageEndpointMeans401NeverAHang() throws Exception {
    Tokens a = new Tokens("key-a");
    for (Mode m : new Mode[] {Mode.DOWN, Mode.SLOW, Mode.HUGE, Mode.GARBAGE}) {
      try (JwksServer jwks = new JwksServer();
          StubUpstream upstream = new StubUpstream();
          TestGateway gw = TestGateway.start(jwks.config(), upstream.port())) {
        jwks.mode.set(m);
        assertThat(get(gw, a.es256(x -> {}))).as(m.name()).isEqualTo(401);
        gw.awaitLine("token-invalid", "issuer keys unavailable");
        assertThat(upstream.poll(100)).isNull();
      }
    }
  }
}
