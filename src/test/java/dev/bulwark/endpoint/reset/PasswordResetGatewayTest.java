package dev.bulwark.endpoint.reset;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.bulwark.identity.password.Argon2Cost;
import dev.bulwark.identity.password.PasswordHasher;
import dev.bulwark.store.Account;
import dev.bulwark.store.NewAccount;
import dev.bulwark.testing.SmtpFront;
import dev.bulwark.testing.TestGateway;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The reset endpoint in a real gateway over TLS, on HTTP/1.1 and HTTP/2, mailing through a STARTTLS
 * server whose certificate a test CA signed: the same answer for known and unknown login names, in
 * the same time; the mailed link works once; the contract refuses bad bodies; a refused password
 * says why.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PasswordResetGatewayTest {
  private static final Pattern TOKEN = Pattern.compile("/reset#token=([A-Za-z0-9._-]+)");
  private static final String NEW = "violet tractor hums beside the frozen canal";

  private final GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", "smtp"));
  private final PasswordHasher hasher = new PasswordHasher(new Argon2Cost(1024, 1, 1));

  @SuppressWarnings("NullAway.Init")
  private SmtpFront front;

  @SuppressWarnings("NullAway.Init")
  private TestGateway gw;

  @SuppressWarnings("NullAway.Init")
  private Account alice;

  @BeforeAll
  void start() throws Exception {
    smtp.start();
    front = SmtpFront.start(SmtpFront.Mode.STARTTLS, smtp.getSmtp().getPort(), "localhost");
    Path ca = front.writeCa(Files.createTempDirectory("smtp-ca").resolve("ca.pem"));
    gw = TestGateway.start(config(front.port(), "starttls", "trust: " + ca), 1);
    alice =
        gw.gateway()
            .stores()
            .accounts()
            .create(
                new NewAccount(
                    "alice",
                    "alice",
                    "alice@example.com",
                    false,
                    "Alice",
                    hasher.hash("an old passphrase of quite some length")))
            .toCompletableFuture()
            .get(5, TimeUnit.SECONDS)
            .orElseThrow();
  }

  @AfterAll
  void stop() throws Exception {
    gw.close();
    front.close();
    smtp.stop();
  }

  static String config(int port, String tls, String trust) {
    return """
        identity:
          passwords:
            argon2: { memory: 1MiB, iterations: 1, parallelism: 1 }
          mail:
            host: localhost
            port: %d
            tls: %s
            %s
            from: "Example <no-reply@example.com>"
            link-base: https://app.example.com/account
            timeout: 2s
          reset:
            per-address: 100000
            per-login: 3
          tokens: { issuer: https://localhost, audience: api }
        routes:
          - name: reset
            match: { path: "/auth/reset/**" }
            serve: password-reset
          - name: login
            match: { path: "/login/**" }
            serve: login
        """
        .formatted(port, tls, trust);
  }

  private HttpClient client(HttpClient.Version v) {
    return HttpClient.newBuilder()
        .sslContext(gw.sslContext())
        .version(v)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  private static HttpResponse<String> post(HttpClient c, TestGateway g, String path, String json)
      throws Exception {
    return c.send(
        HttpRequest.newBuilder(URI.create(g.url(path)))
            .header("content-type", "application/json")
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String login(String name) {
    return "{\"login\":\"" + name + "\"}";
  }

  @ParameterizedTest
  @EnumSource(
      value = HttpClient.Version.class,
      names = {"HTTP_1_1", "HTTP_2"})
  void knownAndUnknownLoginsGetTheSameAnswer(HttpClient.Version v) throws Exception {
    HttpClient c = client(v);
    HttpResponse<String> known = post(c, gw, "/auth/reset", login("alice"));
    HttpResponse<String> unknown = post(c, gw, "/auth/reset", login("nobody-" + v));

    assertThat(known.version()).isEqualTo(v);
    assertThat(known.statusCode()).isEqualTo(202);
    assertThat(unknown.statusCode()).isEqualTo(202);
    assertThat(known.body())
        .isEqualTo(unknown.body())
        .isEqualTo(PasswordResetEndpoint.ACCEPTED_BODY);
    assertThat(headersWithoutIds(known)).isEqualTo(headersWithoutIds(unknown));
  }

  private static List<String> headersWithoutIds(HttpResponse<String> r) {
    List<String> out = new ArrayList<>();
    r.headers()
        .map()
        .forEach(
            (k, vs) -> {
              if (!k.equalsIgnoreCase("x-request-id") && !k.equalsIgnoreCase("date")) {
                out.add(k + ": " + vs);
              }
            });
    Collections.sort(out);
    return out;
  }

  @Test
  void theAnswersTimeDoesNotDependOnTheAccount() throws Exception {
    HttpClient c = client(HttpClient.Version.HTTP_2);
    for (int i = 0; i < 40; i++) {
      post(c, gw, "/auth/reset", login(i % 2 == 0 ? "alice" : "warmup" + i));
    }
    List<Long> known = new ArrayList<>();
    List<Long> unknown = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      boolean k = i % 2 == 0;
      long t0 = System.nanoTime();
      HttpResponse<String> r = post(c, gw, "/auth/reset", login(k ? "alice" : "nobody" + i));
      long t = System.nanoTime() - t0;
      assertThat(r.statusCode()).isEqualTo(202);
      (k ? known : unknown).add(t);
    }
    Collections.sort(known);
    Collections.sort(unknown);
    // Overlapping distributions: each median lies within the other's 10th to 90th percentile.
    assertThat(median(known)).isBetween(pct(unknown, 10), pct(unknown, 90));
    assertThat(median(unknown)).isBetween(pct(known, 10), pct(known, 90));
  }

  private static long median(List<Long> sorted) {
    return sorted.get(sorted.size() / 2);
  }

  private static long pct(List<Long> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
  }

  @ParameterizedTest
  @EnumSource(
      value = HttpClient.Version.class,
      names = {"HTTP_1_1", "HTTP_2"})
  void theContractRefusesABadBody(HttpClient.Version v) throws Exception {
    HttpClient c = client(v);
    for (String bad :
        List.of(
            "{\"login\":5}",
            "{}",
            "{\"login\":\"alice\",\"admin\":true}",
            "[1,2]",
            "{\"login\":\"" + "a".repeat(2000) + "\"}",
            "not json")) {
      HttpResponse<String> r = post(c, gw, "/auth/reset", bad);
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(r.body()).contains("\"status\":400").contains("requestId");
    }
    assertThat(post(c, gw, "/auth/reset/nothing", "{}").statusCode()).isEqualTo(404);
  }

  @Test
  void theAdminApiMailsAnInvitationWhoseLinkSetsTheFirstPassword() throws Exception {
    HttpClient c = client(HttpClient.Version.HTTP_1_1);
    HttpResponse<String> made =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gw.gateway().adminPort() + "/accounts"))
                    .header("content-type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"login\":\"ivan\",\"email\":\"ivan@example.com\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
    var invitation =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(made.body()).path("invitation");
    assertThat(invitation.path("mailed").asBoolean()).as(made.body()).isTrue();
    String token = invitation.path("token").asText();
    String text = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (text == null && System.nanoTime() < deadline) {
      for (var m : smtp.getReceivedMessages()) {
        if (m.getAllRecipients()[0].toString().equals("ivan@example.com")) {
          text = m.getContent().toString();
        }
      }
      if (text == null) {
        Thread.sleep(50);
      }
    }
    assertThat(text).isNotNull().contains("https://app.example.com/account/invite#token=" + token);
    HttpResponse<String> set =
        post(
            c,
            gw,
            "/login/invitation",
            "{\"token\":\"" + token + "\",\"password\":\"" + NEW + "\"}");
    assertThat(set.statusCode()).as(set.body()).isEqualTo(204);
    HttpResponse<String> in =
        post(c, gw, "/login/login", "{\"login\":\"ivan\",\"password\":\"" + NEW + "\"}");
    assertThat(in.statusCode()).as(in.body()).isEqualTo(200);
  }

  @Test
  void theMailedLinkSetsThePasswordOnceOverTheGateway() throws Exception {
    HttpClient c = client(HttpClient.Version.HTTP_2);
    int before = smtp.getReceivedMessages().length;
    Account bob =
        gw.gateway()
            .stores()
            .accounts()
            .create(new NewAccount("bob", "bob", "bob@example.com", false, "Bob", null))
            .toCompletableFuture()
            .get(5, TimeUnit.SECONDS)
            .orElseThrow();
    assertThat(post(c, gw, "/auth/reset", login("bob")).statusCode()).isEqualTo(202);
    assertThat(smtp.waitForIncomingEmail(10_000, before + 1)).isTrue();
    // mails of other tests (sent in the background) may arrive first: wait for bob's
    String text = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (text == null && System.nanoTime() < deadline) {
      for (var m : smtp.getReceivedMessages()) {
        if (m.getAllRecipients()[0].toString().equals("bob@example.com")) {
          text = m.getContent().toString();
        }
      }
      if (text == null) {
        Thread.sleep(50);
      }
    }
    assertThat(text).isNotNull();
    Matcher m = TOKEN.matcher(text);
    assertThat(m.find()).isTrue();
    String body = "{\"token\":\"" + m.group(1) + "\",\"password\":\"%s\"}";

    HttpResponse<String> weak = post(c, gw, "/auth/reset/confirm", body.formatted("short"));
    assertThat(weak.statusCode()).isEqualTo(400);
    assertThat(weak.body()).contains("\"reasons\":[\"Use at least 12 characters.\"]");

    assertThat(post(c, gw, "/auth/reset/confirm", body.formatted(NEW)).statusCode()).isEqualTo(204);
    Account after =
        gw.gateway().stores().accounts().byId(bob.id()).toCompletableFuture().get().orElseThrow();
    assertThat(hasher.verify(after.passwordHash(), NEW).matches()).isTrue();

    HttpResponse<String> again = post(c, gw, "/auth/reset/confirm", body.formatted(NEW));
    assertThat(again.statusCode()).isEqualTo(400);
    assertThat(again.body()).contains("invalid or expired token");
    assertThat(gw.lines()).anyMatch(l -> l.contains("password-reset-completed"));
  }

  @Test
  void aHundredRequestsForOneLoginSendABoundedNumberOfMails() throws Exception {
    HttpClient c = client(HttpClient.Version.HTTP_2);
    gw.gateway()
        .stores()
        .accounts()
        .create(new NewAccount("carol", "carol", "carol@example.com", false, "Carol", null))
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
    for (int i = 0; i < 100; i++) {
      assertThat(post(c, gw, "/auth/reset", login("carol")).statusCode()).isEqualTo(202);
    }
    Thread.sleep(1500);
    long toCarol =
        java.util.Arrays.stream(smtp.getReceivedMessages())
            .filter(
                m -> {
                  try {
                    return m.getAllRecipients()[0].toString().equals("carol@example.com");
                  } catch (jakarta.mail.MessagingException e) {
                    return false;
                  }
                })
            .count();
    assertThat(toCarol).isBetween(1L, 3L);
  }

  @Test
  void withTheMailServerDownTheRequestIsStillAnsweredAtOnceAndTheFailureCounted() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    try (TestGateway down = TestGateway.start(config(closed, "starttls", ""), 1)) {
      down.gateway()
          .stores()
          .accounts()
          .create(new NewAccount("dave", "dave", "dave@example.com", false, "Dave", null))
          .toCompletableFuture()
          .get(5, TimeUnit.SECONDS);
      HttpClient c = HttpClient.newBuilder().sslContext(down.sslContext()).build();
      long t0 = System.nanoTime();
      HttpResponse<String> r = post(c, down, "/auth/reset", login("dave"));
      assertThat(r.statusCode()).isEqualTo(202);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
      String line = down.awaitLine("mail-failed");
      assertThat(line).contains("localhost:" + closed).doesNotContain("Exception");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!down.gateway()
              .metrics()
              .scrape()
              .contains("bulwark_mail_failures_total{reason=\"send-failed\"} 1.0")
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(down.gateway().metrics().scrape())
          .contains("bulwark_mail_failures_total{reason=\"send-failed\"} 1.0");
    }
  }
}
