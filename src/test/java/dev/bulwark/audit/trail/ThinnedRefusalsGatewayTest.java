package dev.bulwark.audit.trail;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real gateway with the audit trail and a ban rule on 401: a flood of bad tokens from one address
 * is a few trail records whose {@code bulwark.suppressed} counts add up to the flood, every one of
 * 50 addresses keeps its own record, every refused request keeps its access-log line, and the ban
 * rule still bans at exactly its count.
 */
class ThinnedRefusalsGatewayTest {
  private static final int BAN_AT = 150;

  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path tmp;

  @Test
  void aFloodOfBadTokensIsAFewCountedRecordsAndStillBansAtTheRuleCount() throws Exception {
    SealedTrailGateway setup = SealedTrailGateway.in(tmp);
    Path trail = setup.trail();
    Path configFile;
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                setup.config(
                    """
                    trusted-proxies: [127.0.0.1/32]
                    bans:
                      exempt: []
                      rules:
                        - { name: bad-tokens, status: [401], count: %d, window: 10m, ban: 10m }
                    """
                        .formatted(BAN_AT)),
                upstream.port())) {
      configFile = gw.configFile();
      for (int i = 0; i < BAN_AT; i++) {
        assertThat(badToken(gw, "203.0.113.5", i)).as("request " + i).isEqualTo(401);
      }
      gw.awaitLine("\"event\":\"ban\"", "\"client\":\"203.0.113.5\"", "bad-tokens");
      assertThat(badToken(gw, "203.0.113.5", BAN_AT)).isEqualTo(403);
      for (int a = 0; a < 50; a++) {
        for (int i = 0; i < 2; i++) {
          assertThat(badToken(gw, "198.51.100." + a, i)).isEqualTo(401);
        }
      }
      // Every refused request keeps its own access-log line.
      gw.awaitLine("\"type\":\"access\"", "198.51.100.49", "/x/1");
      long accessLines =
          gw.lines().stream()
              .filter(l -> l.contains("\"type\":\"access\"") && l.contains("\"status\":401"))
              .count();
      assertThat(accessLines).isEqualTo(BAN_AT + 100);
    }
    // Closed: what was held back has been written.
    String found = setup.searchJson(configFile, "--action", "token-invalid", "--limit", "100000");
    Map<String, Long> counted = new HashMap<>();
    Map<String, Integer> records = new HashMap<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : found.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode r = json.readTree(line);
      String ip = r.get("source.ip").asText();
      JsonNode s = r.get("bulwark.suppressed");
      counted.merge(ip, 1 + (s == null ? 0 : s.asLong()), Long::sum);
      records.merge(ip, 1, Integer::sum);
    }
    assertThat(counted.get("203.0.113.5")).isEqualTo(BAN_AT);
    // about one a second (a slow, shared machine may take a while for the 150 requests)
    assertThat(records.get("203.0.113.5")).isLessThan(BAN_AT / 3);
    for (int a = 0; a < 50; a++) {
      assertThat(counted.get("198.51.100." + a)).as("198.51.100." + a).isEqualTo(2L);
    }
    assertThat(TrailVerifier.verify(trail, null).intact()).isTrue();
  }

  private static int badToken(TestGateway gw, String client, int i) throws Exception {
    HttpResponse<String> r =
        gw.client()
            .send(
                HttpRequest.newBuilder(URI.create(gw.url("/x/" + i)))
                    .timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer not.a.token")
                    .header("X-Forwarded-For", client)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return r.statusCode();
  }
}
