package dev.bulwark.audit.trail;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.testing.GatewayProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a real gateway process right after the first of a burst of role grants is
 * acknowledged, three times on one data directory: every account creation and every role grant
 * answered {@code 2xx} has its record in the trail after the kill.
 */
class AdminChangeCrashTest {
  private static final int ROUNDS = 3;
  private static final int BURST = 8;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path tmp;

  private int adminPort;

  @Test
  void everyAcknowledgedRoleGrantIsInTheTrailAfterKillDashNine() throws Exception {
    KilledTrail killed = KilledTrail.in(tmp);
    HttpClient http = GatewayProcess.client();
    Set<String> created = new HashSet<>();
    Set<String> granted = new HashSet<>();
    for (int round = 0; round < ROUNDS; round++) {
      GatewayProcess p = killed.start(round);
      adminPort = p.adminPort();
      String org = "org-" + round;
      assertThat(send(http, "POST", "/organisations", "{\"slug\":\"" + org + "\"}").statusCode())
          .isEqualTo(201);
      List<String> accounts = new ArrayList<>();
      for (int i = 0; i < BURST; i++) {
        HttpResponse<String> r =
            send(http, "POST", "/accounts", "{\"login\":\"user-" + round + "-" + i + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = JSON.readTree(r.body()).path("account").path("id").asText();
        accounts.add(id);
        created.add(id);
      }
      Set<String> acked = ConcurrentHashMap.newKeySet();
      CompletableFuture<Void> first = new CompletableFuture<>();
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (String id : accounts) {
        calls.add(
            http.sendAsync(
                    request(
                        "PUT", "/organisations/" + org + "/members/" + id, "{\"role\":\"admin\"}"),
                    HttpResponse.BodyHandlers.ofString())
                .whenComplete(
                    (r, e) -> {
                      if (r != null && r.statusCode() == 200) {
                        acked.add(id);
                        first.complete(null);
                      }
                    }));
      }
      try {
        first.get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // none acknowledged yet: kill now anyway
      }
      assertThat(p.kill()).as("SIGKILL, right after the first acknowledgement").isTrue();
      for (CompletableFuture<HttpResponse<String>> c : calls) {
        try {
          c.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException cut) {
          // the kill cut it: not acknowledged
        }
      }
      granted.addAll(acked);
      Keyring keyring = killed.keyring();
      assertThat(killed.recorded(keyring, "role-granted", "bulwark.account"))
          .as("round " + round + ": every acknowledged role grant is in the trail")
          .containsAll(acked);
      assertThat(killed.recorded(keyring, "account-created", "bulwark.account"))
          .as("round " + round + ": every acknowledged creation is in the trail")
          .containsAll(created);
    }
    assertThat(granted).as("the bursts acknowledged grants at all").isNotEmpty();
  }

  private HttpRequest request(String method, String path, String body) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
        .timeout(Duration.ofSeconds(20))
        .header("content-type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private HttpResponse<String> send(HttpClient http, String method, String path, String body)
      throws Exception {
    return http.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
  }
}
