package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.LogCapture;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /explain/{request-id}} on the admin listener of a real gateway: the decision trace of
 * a recent request, found by the id its response carried; an id pushed out of the ring, an id never
 * seen, and the ring off.
 */
class ExplainRecentTest {
  private static final String ROUTES =
      """
      defaults:
        rate-limit: { key: ip, limit: 100, window: 1m }
      routes:
        - name: api
          match: { path: /api/** }
          upstream: UPSTREAM
          public: true
      """;

  private static TestGateway start(StubUpstream upstream, int explainRecent) throws Exception {
    String yaml = TestGateway.yaml(ROUTES, upstream.port());
    if (explainRecent > 0) {
      yaml = yaml.replace("\nserver:\n", "\nserver:\n  explain-recent: " + explainRecent + "\n");
    }
    return TestGateway.startYaml(yaml);
  }

  private static HttpResponse<String> explain(TestGateway gw, String id, String accept)
      throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gw.gateway().adminPort() + "/explain/" + id))
                .header("accept", accept)
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static String idOf(HttpResponse<String> r) {
    return r.headers().firstValue("x-request-id").orElseThrow();
  }

  @Test
  void aRecentRequestIsExplainedByTheIdItsResponseCarried() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = start(upstream, 3)) {
      HttpResponse<String> r = gw.get("/api/items?token=secret");
      assertThat(r.statusCode()).isEqualTo(200);
      String id = idOf(r);

      HttpResponse<String> json = explain(gw, id, "application/json");

      assertThat(json.statusCode()).isEqualTo(200);
      assertThat(json.headers().firstValue("content-type")).contains("application/json");
      assertThat(json.headers().firstValue("cache-control")).contains("no-store");
      JsonObject body = new JsonObject(json.body());
      assertThat(body.getString("requestId")).isEqualTo(id);
      JsonObject d = body.getJsonArray("decisions").getJsonObject(0);
      assertThat(d.getString("route")).isEqualTo("api");
      assertThat(d.getJsonObject("request").getString("path")).isEqualTo("/api/items");
      assertThat(d.getJsonObject("request").getString("client")).isEqualTo("127.0.0.1");
      assertThat(d.getJsonObject("result").getInteger("status")).isEqualTo(200);
      assertThat(d.getJsonObject("result").getString("outcome")).isEqualTo("forwarded");
      List<String> lines = texts(d.getJsonArray("steps"));
      assertThat(lines)
          .contains("route: api (host *, path /api/**)", "enter: rate-limit / rate-limit")
          .anySatisfy(
              l -> assertThat(l).startsWith("note: rate-limit: ip-1m [ip=127.0.0.1]: 99 of "))
          .anySatisfy(l -> assertThat(l).startsWith("forward: to http://127.0.0.1:"));
      assertThat(json.body()).as("the query is never kept").doesNotContain("secret");

      HttpResponse<String> text = explain(gw, id, "text/plain");
      assertThat(text.statusCode()).isEqualTo(200);
      assertThat(text.headers().firstValue("content-type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
      assertThat(text.body())
          .startsWith("id        " + id + " at ")
          .contains("request   GET /api/items  host localhost  client 127.0.0.1\n")
          .contains("route     api (host *, path /api/**)\n")
          .contains("result    200 forwarded (stage gateway, policy gateway)\n");
    }
  }

  @Test
  void theOldestOfNPlusOneRequestsIsNoLongerHeldAndAnIdNeverSeenIsUnknown() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = start(upstream, 3)) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        ids.add(idOf(gw.get("/api/items/" + i)));
      }

      HttpResponse<String> first = explain(gw, ids.get(0), "application/json");
      HttpResponse<String> never = explain(gw, "no-such-request", "application/json");

      assertThat(first.statusCode()).isEqualTo(404);
      assertThat(new JsonObject(first.body()).getString("error")).isEqualTo("no longer held");
      assertThat(never.statusCode()).isEqualTo(404);
      assertThat(new JsonObject(never.body()).getString("error")).isEqualTo("unknown");
      for (String held : ids.subList(1, 4)) {
        assertThat(explain(gw, held, "application/json").statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  void aRequestNoRouteTakesIsExplainedAsRefusedAtRouting() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = start(upstream, 3)) {
      HttpResponse<String> r = gw.get("/elsewhere");
      assertThat(r.statusCode()).isEqualTo(404);

      JsonObject d =
          new JsonObject(explain(gw, idOf(r), "application/json").body())
              .getJsonArray("decisions")
              .getJsonObject(0);

      assertThat(d.getString("route")).isEqualTo("none");
      assertThat(d.getJsonObject("result").getString("stage")).isEqualTo("routing");
      assertThat(d.getJsonObject("result").getString("outcome")).isEqualTo("denied");
      assertThat(texts(d.getJsonArray("steps"))).contains("route: none (no route)");
    }
  }

  @Test
  void anIdSentByAnUntrustedClientNamesNoTrace() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = start(upstream, 3)) {
      HttpResponse<String> r =
          gw.client()
              .send(
                  HttpRequest.newBuilder(URI.create(gw.url("/api/items")))
                      .header("x-request-id", "chosen-by-client")
                      .build(),
                  HttpResponse.BodyHandlers.ofString());

      assertThat(idOf(r)).isNotEqualTo("chosen-by-client");
      assertThat(explain(gw, "chosen-by-client", "application/json").statusCode()).isEqualTo(404);
      assertThat(explain(gw, idOf(r), "application/json").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void withTheRingOffExplainSaysHowToTurnItOn() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = start(upstream, 0)) {
      String id = idOf(gw.get("/api/items"));

      HttpResponse<String> r = explain(gw, id, "application/json");

      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(new JsonObject(r.body()).getString("detail"))
          .contains("server.explain-recent")
          .contains("restart");
    }
  }

  @Test
  void aReloadKeepsTheRingAndSaysItsSizeNeedsARestart() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw = start(upstream, 3);
        LogCapture log = LogCapture.of(Gateway.class.getName())) {
      String id = idOf(gw.get("/api/items"));
      Files.writeString(
          gw.configFile(),
          TestGateway.yaml(ROUTES, upstream.port())
              .replace("\nserver:\n", "\nserver:\n  explain-recent: 5\n"));

      gw.gateway().reload();

      assertThat(log.lines())
          .contains(
              "WARNING reload: server.explain-recent (3 -> 5) takes effect only on restart;"
                  + " the rest is applied");
      assertThat(explain(gw, id, "application/json").statusCode())
          .as("the decisions held before the reload are still there")
          .isEqualTo(200);
    }
  }

  private static List<String> texts(JsonArray steps) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      JsonObject s = steps.getJsonObject(i);
      out.add(s.getString("step") + ": " + s.getString("text"));
    }
    return out;
  }
}
