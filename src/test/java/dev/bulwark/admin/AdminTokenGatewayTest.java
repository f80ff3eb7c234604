package dev.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.cli.Main;
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
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A real gateway whose admin listener asks for a token: metrics and bans need it, health does not,
 * a refusal is a security event line, {@code bulwark bans -c} sends the file's token, and a reload
 * with a new token applies at once.
 */
class AdminTokenGatewayTest {
  private static final String TOKEN = "gateway-admin-token-0123456789abcdefghij";

  private static HttpResponse<String> admin(TestGateway gw, String path, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.gateway().adminPort() + path));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theAdminListenerAsksForItsTokenAndTheCliSendsIt() throws Exception {
    Path tokenFile = Files.createTempFile("admin-token", "");
    Files.writeString(tokenFile, TOKEN + "\n");
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                """
                admin: { token: "${env:BULWARK_ADMIN_TOKEN}" }
                routes:
                  - { name: api, match: { path: /** }, upstream: UPSTREAM, public: true }
                """,
                upstream.port(),
                Map.of("BULWARK_ADMIN_TOKEN", TOKEN))) {
      assertThat(admin(gw, "/healthz").statusCode()).isEqualTo(200);
      assertThat(admin(gw, "/readyz").statusCode()).isEqualTo(200);
      HttpResponse<String> refused = admin(gw, "/metrics", "authorization", "Bearer nope");
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.headers().firstValue("www-authenticate"))
          .hasValue("Bearer realm=\"bulwark-admin\"");
      gw.awaitLine(
          "\"event\":\"admin-auth-failed\"",
          "\"client\":\"127.0.0.1\"",
          "\"status\":401",
          "\"reason\":\"wrong token\"",
          "\"path\":\"/metrics\"");
      assertThat(String.join("\n", gw.lines())).doesNotContain("Bearer nope").doesNotContain(TOKEN);
      assertThat(admin(gw, "/metrics", "authorization", "Bearer " + TOKEN).body())
          .contains("bulwark_admin_auth_failures_total{reason=\"wrong\"} 1.0");
      assertThat(admin(gw, "/bans").statusCode()).isEqualTo(401);

      // bulwark bans -c FILE reads the address and the token from the file.
      Path config = gw.dir().resolve("with-admin-port.yaml");
      Files.writeString(
          config,
          Files.readString(gw.configFile())
              .replace("admin: 127.0.0.1:0", "admin: 127.0.0.1:" + gw.gateway().adminPort())
              .replace("${env:BULWARK_ADMIN_TOKEN}", "${file:" + tokenFile + "}"));
      StringWriter out = new StringWriter();
      assertThat(run(out, "bans", "-c", config.toString(), "add", "192.0.2.9"))
          .as(out.toString())
          .isZero();
      out = new StringWriter();
      assertThat(run(out, "bans", "-c", config.toString(), "list")).as(out.toString()).isZero();
      assertThat(out.toString()).contains("192.0.2.9");
      // Without it, the CLI says what to do.
      out = new StringWriter();
      assertThat(
              run(out, "bans", "--admin", "http://127.0.0.1:" + gw.gateway().adminPort(), "list"))
          .isEqualTo(1);
      assertThat(out.toString()).contains("refused (401)", "BULWARK_ADMIN_TOKEN");

      // A reload with another token applies to the next call.
      String other = "another-gateway-token-0123456789abcdefgh";
      Files.writeString(tokenFile, other);
      Files.writeString(
          gw.configFile(),
          Files.readString(gw.configFile())
              .replace("${env:BULWARK_ADMIN_TOKEN}", "${file:" + tokenFile + "}"));
      assertThat(gw.gateway().reload())
          .noneMatch(p -> p.severity() == dev.bulwark.config.Problem.Severity.ERROR);
      assertThat(admin(gw, "/bans", "authorization", "Bearer " + TOKEN).statusCode())
          .isEqualTo(401);
      assertThat(admin(gw, "/bans", "authorization", "Bearer " + other).statusCode())
          .isEqualTo(200);
    } finally {
      Files.deleteIfExists(tokenFile);
    }
  }

  private static int run(StringWriter out, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    return cli.execute(args);
  }
}
