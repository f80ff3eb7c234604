package dev.bulwark.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.alert.WebhookReceiver;
import dev.bulwark.audit.alert.WebhookSignature;
import dev.bulwark.cli.Main;
import dev.bulwark.store.sealed.MasterKey;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A real gateway with {@code audit.file} and {@code audit.postgres} at once: an admin ban is
 * answered only once its record is committed in PostgreSQL (and refused with 503 while PostgreSQL
 * is cut, while plain requests go on), {@code GET /audit/events} reads PostgreSQL, and {@code
 * bulwark audit verify|search --postgres} prove and find the records.
 */
class PostgresAuditGatewayTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path tmp;

  private final String schema = PostgresServer.newSchema();

  @AfterEach
  void dropSchema() throws Exception {
    PostgresServer.drop(schema);
  }

  private long events() throws Exception {
    try (Connection c = PostgresServer.admin();
        Statement s = c.createStatement()) {
      s.execute("SET search_path TO " + schema);
      try (ResultSet r =
          s.executeQuery("SELECT count(*) FROM audit_records WHERE type = 'event'")) {
        r.next();
        return r.getLong(1);
      }
    }
  }

  @Test
  void bansAreAcknowledgedOnlyOnceCommittedAndTheTableVerifiesAndSearches() throws Exception {
    PostgresServer.admin().close();
    Path masterKey = tmp.resolve("master.key");
    Files.writeString(masterKey, MasterKey.generateText());
    Path data = tmp.resolve("data");
    Path trailFile = data.resolve("audit.log");
    String url;
    Path configFile;
    try (CuttableProxy proxy = new CuttableProxy(PostgresServer.HOST, PostgresServer.PORT);
        StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                """
                store:
                  data-dir: %s
                  master-key: ${file:%s}
                  postgres: { url: "postgresql://127.0.0.1:%d/test", user: postgres, schema: %s }
                audit:
                  file: %s
                  postgres: true
                  checkpoint-every: 2
                routes:
                  - name: api
                    match: { path: /** }
                    upstream: UPSTREAM
                    public: true
                """
                    .formatted(data, masterKey, proxy.port(), schema, trailFile),
                upstream.port())) {
      url = "postgresql://127.0.0.1:" + PostgresServer.PORT + "/test";
      configFile = gw.configFile();
      long before = events();
      HttpResponse<String> ban = ban(gw, "198.51.100.77");
      assertThat(ban.statusCode()).as(ban.body()).isEqualTo(201);
      // Acknowledged only after the commit: the record is there when the answer is.
      assertThat(events()).isEqualTo(before + 1);
      HttpResponse<String> found = admin(gw, "/audit/events?action=ban&since=1h");
      assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
      assertThat(found.body())
          .contains("\"bulwark.target\":\"198.51.100.77\"")
          .contains("\"event.action\":\"ban\"");

      proxy.cut();
      long started = System.nanoTime();
      HttpResponse<String> unrecorded = ban(gw, "198.51.100.78");
      assertThat(unrecorded.statusCode()).as(unrecorded.body()).isEqualTo(503);
      assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(12);
      long served = System.nanoTime();
      assertThat(gw.get("/plain").statusCode()).isEqualTo(200);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - served)).isLessThan(2000);
      proxy.restore();
      // The record of the change answered 503 is still written once PostgreSQL is back.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (events() < before + 2 && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      assertThat(events()).isEqualTo(before + 2);
      assertThat(ban(gw, "198.51.100.79").statusCode()).isEqualTo(201);
      assertThat(events()).isEqualTo(before + 3);
    }
    StringWriter out = new StringWriter();
    assertThat(
            run(
                out,
                "audit",
                "verify",
                "--postgres",
                url,
                "--user",
                "postgres",
                "--schema",
                schema))
        .as(out.toString())
        .isZero();
    assertThat(out.toString())
        .startsWith("PostgreSQL at 127.0.0.1:5432 schema " + schema + ": intact:");
    out = new StringWriter();
    assertThat(run(out, "audit", "verify", trailFile.toString())).as(out.toString()).isZero();
    out = new StringWriter();
    assertThat(
            run(
                out,
                "audit",
                "search",
                "--postgres",
                url,
                "-c",
                configFile.toString(),
                "--action",
                "ban",
                "--since",
                "1h",
                "--json"))
        .as(out.toString())
        .isZero();
    assertThat(out.toString())
        .contains("\"bulwark.target\":\"198.51.100.77\"")
        .contains("\"bulwark.target\":\"198.51.100.78\"")
        .contains("\"bulwark.target\":\"198.51.100.79\"");
    out = new StringWriter();
    assertThat(run(out, "audit", "verify", "--postgres", "postgresql://u:p@127.0.0.1/test"))
        .isEqualTo(2);
    assertThat(out.toString()).contains("credentials in the URL").doesNotContain("Exception");
    out = new StringWriter();
    assertThat(
            run(
                out,
                "audit",
                "verify",
                "--postgres",
                url,
                "--user",
                "postgres",
                "--schema",
                "none"))
        .isEqualTo(1);
    assertThat(out.toString())
        .isEqualTo(
            "bulwark audit verify: PostgreSQL at 127.0.0.1:5432 schema none: no audit trail here"
                + " (no audit_records table: check --schema)\n");
  }

  @Test
  void postgresAwayPastTheBufferRaisesOneAuditDroppedAlertAtTheWebhookSigned() throws Exception {
    PostgresServer.admin().close();
    Path masterKey = tmp.resolve("master.key");
    Files.writeString(masterKey, MasterKey.generateText());
    Path jwks = tmp.resolve("jwks.json");
    Files.writeString(
        jwks,
        new com.nimbusds.jose.jwk.JWKSet(
                new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256)
                    .keyID("k1")
                    .generate()
                    .toPublicJWK())
            .toString());
    String secret = "webhook-" + java.util.UUID.randomUUID();
    try (CuttableProxy proxy = new CuttableProxy(PostgresServer.HOST, PostgresServer.PORT);
        WebhookReceiver hook = new WebhookReceiver(200);
        StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                """
                store:
                  master-key: ${file:%s}
                  postgres: { url: "postgresql://127.0.0.1:%d/test", user: postgres, schema: %s }
                trusted-proxies: [127.0.0.1/32]
                audit:
                  postgres: true
                  queue: 16
                  alerts:
                    webhooks:
                      - { url: "%s", secret: "${env:ALERT_WEBHOOK_SECRET}", timeout: 2s }
                auth:
                  issuers:
                    test:
                      issuer: https://id.test.example/
                      audience: api
                      algorithms: [ES256]
                      keys: [ %s ]
                routes:
                  - name: api
                    match: { path: /** }
                    upstream: UPSTREAM
                    auth: { require: authenticated }
                """
                    .formatted(masterKey, proxy.port(), schema, hook.url(), jwks),
                upstream.port(),
                java.util.Map.of("ALERT_WEBHOOK_SECRET", secret))) {
      proxy.cut();
      // Each refused token is a token-invalid event, from its own client address (a flood from
      // one address is thinned to one event a second): more than the buffer and the batch in
      // hand hold while PostgreSQL is away.
      for (int i = 0; i < 300 && hook.received().isEmpty(); i++) {
        HttpResponse<String> refused =
            gw.client()
                .send(
                    HttpRequest.newBuilder(URI.create(gw.url("/r" + i)))
                        .header("authorization", "Bearer not-a-token-" + i)
                        .header("X-Forwarded-For", "198.51.100." + (i % 250 + 1))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(401);
      }
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (hook.received().isEmpty() && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      assertThat(hook.received()).as("an audit-dropped alert at the webhook").isNotEmpty();
      WebhookReceiver.Received got = hook.received().get(0);
      com.fasterxml.jackson.databind.JsonNode body =
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(got.body());
      assertThat(body.get("rule").asText()).isEqualTo("audit-dropped");
      assertThat(body.get("event").asText()).isEqualTo("audit-dropped");
      assertThat(body.get("key").asText()).isEqualTo("sink:postgres");
      assertThat(body.get("severity").asText()).isEqualTo("critical");
      assertThat(
              WebhookSignature.verify(
                  secret.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                  got.signature(),
                  got.body(),
                  System.currentTimeMillis() / 1000,
                  300))
          .isTrue();
      gw.awaitLine("\"type\":\"alert\"", "\"rule\":\"audit-dropped\"");
      // More refusals during the same outage: deduplicated, still one alert.
      for (int i = 0; i < 20; i++) {
        gw.client()
            .send(
                HttpRequest.newBuilder(URI.create(gw.url("/more" + i)))
                    .header("authorization", "Bearer not-a-token")
                    .build(),
                HttpResponse.BodyHandlers.discarding());
      }
      Thread.sleep(500);
      assertThat(hook.received()).hasSize(1);
      proxy.restore();
    }
  }

  private static HttpResponse<String> ban(TestGateway gw, String address) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gw.gateway().adminPort() + "/bans"))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"address\":\"" + address + "\",\"reason\":\"abuse\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> admin(TestGateway gw, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gw.gateway().adminPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static int run(StringWriter out, String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    return cli.execute(args);
  }
}
