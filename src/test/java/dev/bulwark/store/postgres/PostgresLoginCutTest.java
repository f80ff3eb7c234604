package dev.bulwark.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.store.sealed.MasterKey;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #18's "PostgreSQL stopped during a login": a real gateway whose accounts live in the shared
 * PostgreSQL behind a relay the test cuts (the server itself is never stopped: other tests use it).
 * The relay is cut while the login's password hash runs, after its account was read: the answer is
 * {@code 503} with {@code Retry-After} and the gateway's JSON error, no session was started and the
 * account row is as it was, and once the relay is back logins succeed again without a restart.
 */
class PostgresLoginCutTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "plum vessel orbit cascade lantern";
  private static final String LOGIN = "{\"login\":\"cut-ada\",\"password\":\"" + PASSWORD + "\"}";

  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path tmp;

  private final String schema = PostgresServer.newSchema();

  @AfterEach
  void dropSchema() throws Exception {
    PostgresServer.drop(schema);
  }

  @Test
  void aCutDuringALoginAnswers503WritesNothingAndLoginsRecoverAlone() throws Exception {
    PostgresServer.admin().close();
    Path masterKey = tmp.resolve("master.key");
    Files.writeString(masterKey, MasterKey.generateText());
    try (CuttableProxy proxy = new CuttableProxy(PostgresServer.HOST, PostgresServer.PORT);
        StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                """
                store:
                  data-dir: %s
                  master-key: ${file:%s}
                  postgres:
                    url: "postgresql://127.0.0.1:%d/test"
                    user: postgres
                    schema: %s
                    pool: { size: 2, timeout: 1s }
                identity:
                  # slow on purpose: the relay is cut while this hash runs
                  passwords: { argon2: { memory: 64MiB, iterations: 4, parallelism: 1 } }
                  tokens: { issuer: https://localhost, audience: api }
                routes:
                  - name: auth
                    match: { path: "/auth/**" }
                    serve: login
                """
                    .formatted(tmp.resolve("data"), masterKey, proxy.port(), schema),
                upstream.port())) {
      HttpResponse<String> made =
          admin(
              gw, "POST", "/accounts", "{\"login\":\"cut-ada\",\"password\":\"" + PASSWORD + "\"}");
      assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
      String id = JSON.readTree(made.body()).path("account").path("id").asText();
      HttpResponse<String> first = login(gw);
      assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
      assertThat(sessions(gw)).isEqualTo(1);
      List<String> rowBefore = accountRow(id);

      // Cut once the account's lookup has been answered, while the password hash runs.
      long before = proxy.bytesFromServer();
      long sent = System.nanoTime();
      CompletableFuture<HttpResponse<String>> cutLogin = loginAsync(gw);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (proxy.bytesFromServer() == before && System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      assertThat(proxy.bytesFromServer()).as("the login read its account").isGreaterThan(before);
      long seen = proxy.bytesFromServer();
      Thread.sleep(20); // the lookup's last bytes: a loopback answer is far quicker than this
      assertThat(proxy.bytesFromServer()).as("one lookup, then the hash").isEqualTo(seen);
      proxy.cut();
      assertThat(cutLogin).as("the cut lands during the login, not after it").isNotDone();

      HttpResponse<String> cut = cutLogin.get(30, TimeUnit.SECONDS);
      assertThat(cut.statusCode()).as(cut.body()).isEqualTo(503);
      assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - sent)).isLessThan(10);
      assertThat(cut.headers().firstValue("retry-after")).hasValue("1");
      assertThat(cut.headers().firstValue("cache-control")).hasValue("no-store");
      JsonNode error = JSON.readTree(cut.body());
      assertThat(error.path("status").asInt()).isEqualTo(503);
      assertThat(error.path("error").asText()).isEqualTo("service unavailable");
      assertThat(error.path("requestId").asText()).isNotBlank();
      assertThat(cut.body()).doesNotContain("Exception").doesNotContain("postgres");
      assertThat(error.has("access_token")).isFalse();

      // While it stays cut, every login answers 503 at once (within the pool timeout).
      long again = System.nanoTime();
      assertThat(login(gw).statusCode()).isEqualTo(503);
      assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - again)).isLessThan(5);

      // Nothing half-written: the account row is as it was (read past the relay).
      assertThat(accountRow(id)).isEqualTo(rowBefore);

      proxy.restore();
      List<Integer> statuses = new ArrayList<>();
      HttpResponse<String> back = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (System.nanoTime() < deadline) {
        back = login(gw);
        statuses.add(back.statusCode());
        if (back.statusCode() == 200) {
          break;
        }
        Thread.sleep(200);
      }
      assertThat(statuses).as("recovers without a restart").endsWith(200);
      assertThat(statuses.subList(0, statuses.size() - 1)).allMatch(s -> s == 503);
      assertThat(back).isNotNull();
      assertThat(
              JSON.readTree(java.util.Objects.requireNonNull(back).body())
                  .path("refresh_token")
                  .asText())
          .isNotBlank();
      // Sessions: the first login and the one after the restore, none of the refused ones.
      assertThat(sessions(gw)).isEqualTo(2);
      assertThat(accountRow(id)).isEqualTo(rowBefore);
    }
  }

  /** The account's row as PostgreSQL has it, column by column, read past the relay. */
  private List<String> accountRow(String id) throws Exception {
    try (Connection c = PostgresServer.admin();
        Statement s = c.createStatement()) {
      s.execute("SET search_path TO " + schema);
      try (ResultSet r =
          s.executeQuery("SELECT * FROM accounts WHERE id = '" + id.replace("'", "") + "'")) {
        assertThat(r.next()).isTrue();
        ResultSetMetaData m = r.getMetaData();
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= m.getColumnCount(); i++) {
          out.add(m.getColumnName(i) + "=" + r.getString(i));
        }
        assertThat(r.next()).isFalse();
        return out;
      }
    }
  }

  private static int sessions(TestGateway gw) throws Exception {
    HttpResponse<String> r = admin(gw, "GET", "/accounts/cut-ada/sessions", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).path("sessions").size();
  }

  private static HttpResponse<String> login(TestGateway gw) throws Exception {
    return loginAsync(gw).get(30, TimeUnit.SECONDS);
  }

  private static CompletableFuture<HttpResponse<String>> loginAsync(TestGateway gw) {
    return gw.client()
        .sendAsync(
            HttpRequest.newBuilder(URI.create(gw.url("/auth/login")))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(LOGIN))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> admin(
      TestGateway gw, String method, String path, @Nullable String body) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gw.gateway().adminPort() + path))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .method(
                    method,
                    body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
