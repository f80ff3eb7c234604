package dev.bulwark.audit.trail;

import static dev.bulwark.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real gateway with {@code audit.file}: a ban through the admin API and a refused token end up in
 * the trail, sealed (neither the address nor the reason in clear), and {@code bulwark audit verify}
 * passes against the gateway's public key, then names a record edited afterwards.
 */
class AuditTrailGatewayTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path tmp;

  @Test
  void anAdminBanAndARefusedTokenAreSealedInAVerifiableTrail() throws Exception {
    SealedTrailGateway setup = SealedTrailGateway.in(tmp);
    Path data = setup.data();
    Path trail = setup.trail();
    String banRequestId;
    Path configFile;
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(setup.config("  checkpoint-every: 2"), upstream.port())) {
      configFile = gw.configFile();
      HttpResponse<String> ban =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + gw.gateway().adminPort() + "/bans"))
                      .header("content-type", "application/json")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"address\":\"198.51.100.77\",\"reason\":\"secret-reason\\n\"}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(ban.statusCode()).as(ban.body()).isEqualTo(201);
      banRequestId = ban.headers().firstValue("x-request-id").orElseThrow();
      HttpResponse<String> events = admin(gw, "/audit/events?action=ban&outcome=success&limit=5");
      assertThat(events.statusCode()).as(events.body()).isEqualTo(200);
      assertThat(events.body())
          .startsWith("{\"events\":[{\"bulwark.schema\":2,")
          .contains("\"event.action\":\"ban\"")
          .contains("\"bulwark.target\":\"198.51.100.77\"")
          .contains("\"source.ip\":\"127.0.0.1\"")
          .contains("\"event.reason\":\"secret-reason\\n\"")
          .contains("\"http.request.id\":\"" + banRequestId + "\"")
          .endsWith("\"scanned\":1,\"unreadable\":0,\"next\":null}");
      assertThat(admin(gw, "/audit/events?limit=100000").statusCode()).isEqualTo(400);
      assertThat(admin(gw, "/audit/events?source-ip=10.0.0.0/99").statusCode()).isEqualTo(400);
      assertThat(admin(gw, "/audit/events?since=yesterday").body()).contains("since: expected");
      // Acknowledged only once on disk: the ban's record is there before the answer.
      assertThat(Files.readAllLines(trail, StandardCharsets.US_ASCII))
          .anyMatch(l -> l.contains("\"type\":\"event\""));
      HttpResponse<String> refused =
          gw.client()
              .send(
                  HttpRequest.newBuilder(URI.create(gw.url("/x")))
                      .timeout(Duration.ofSeconds(10))
                      .header("Authorization", "Bearer not.a.token")
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(401);
      gw.awaitLine("\"event\":\"token-invalid\"");
    }
    assertThat(setup.searchJson(configFile, "--action", "ban", "--since", "1h"))
        .contains("\"bulwark.target\":\"198.51.100.77\"");
    StringWriter found = new StringWriter();
    assertThat(
            run(
                found,
                "audit",
                "show",
                data.toString(),
                "-c",
                configFile.toString(),
                "--id",
                banRequestId))
        .as(found.toString())
        .isZero();
    assertThat(found.toString())
        .contains(" ban success ")
        .contains("event.reason=secret-reason\\u000a")
        .doesNotContain("\n ");
    List<String> lines = Files.readAllLines(trail, StandardCharsets.US_ASCII);
    // start, ban, token-invalid, checkpoint (every 2)
    assertThat(lines).hasSizeGreaterThanOrEqualTo(4);
    String all = String.join("\n", lines);
    assertThat(all).doesNotContain("198.51.100.77").doesNotContain("secret-reason");
    assertThat(all).contains("\"type\":\"checkpoint\"");
    Path pub = data.resolve("audit-signing.pub");
    assertThat(Files.readString(data.resolve("audit-signing.key"))).doesNotContain("PRIVATE");

    StringWriter out = new StringWriter();
    assertThat(run(out, "audit", "verify", trail.toString(), "--public-key", pub.toString()))
        .as(out.toString())
        .isZero();
    assertThat(out.toString()).startsWith(trail + ": intact: " + lines.size() + " records");

    List<String> changed = new java.util.ArrayList<>(lines);
    changed.set(1, lines.get(1).replaceFirst("\"body\":\"A", "\"body\":\"B"));
    Files.writeString(trail, String.join("\n", changed) + "\n", StandardCharsets.US_ASCII);
    out = new StringWriter();
    assertThat(run(out, "audit", "verify", trail.toString(), "--public-key", pub.toString()))
        .isEqualTo(1);
    assertThat(out.toString())
        .isEqualTo(trail + ": line 2 (seq 1): altered (its hash does not match its content)\n");
  }

  private static HttpResponse<String> admin(TestGateway gw, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gw.gateway().adminPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
