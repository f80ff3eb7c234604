package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.BlockingWorkFeature;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Blocking work through a real gateway: it runs on the blocking executor while the event loop keeps
 * serving, its completion answers from the event loop, and when every thread is busy and the queue
 * full the next request gets a 503 JSON at once and the gateway stays up.
 */
class BlockingWorkTest {
  /** Continues the test header's {@code server:} mapping, then the routes. */
  private static final String CONFIG =
      """
        blocking: { threads: 1, queue: 1 }
      routes:
        - name: hash
          public: true
          match: { path: /hash }
          upstream: UPSTREAM
          blocking-work: { sleep: 1500ms }
        - name: plain
          public: true
          match: { path: /plain }
          upstream: UPSTREAM
      """;

  @Test
  void aFullQueueGives503JsonAndTheGatewayStaysUp() throws Exception {
    try (StubUpstream upstream = new StubUpstream().on("/plain", r -> r.response().end("plain"));
        TestGateway gw =
            TestGateway.startWith(List.of(new BlockingWorkFeature()), CONFIG, upstream.port())) {
      HttpClient client = gw.client();
      List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
      slow.add(send(client, gw, "/hash"));
      awaitQueued(gw, 0); // the first is running
      slow.add(send(client, gw, "/hash"));
      awaitQueued(gw, 1); // the second waits
      long start = System.nanoTime();
      HttpResponse<String> refused = send(client, gw, "/hash").get(10, TimeUnit.SECONDS);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("content-type")).hasValue("application/json");
      assertThat(refused.body())
          .matches("\\{\"error\":\"service unavailable\",\"status\":503,\"requestId\":\"[^\"]+\"}");
      // The event loop is not blocked by the work in progress.
      long plain = System.nanoTime();
      assertThat(gw.get("/plain").body()).isEqualTo("plain");
      assertThat(Duration.ofNanos(System.nanoTime() - plain)).isLessThan(Duration.ofSeconds(1));
      for (CompletableFuture<HttpResponse<String>> f : slow) {
        HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().firstValue("x-worked-on")).hasValue("bulwark-blocking-1");
        assertThat(r.headers().firstValue("x-continued-on").orElseThrow())
            .startsWith("vert.x-eventloop-thread-");
      }
      // Still up, with room again.
      assertThat(send(client, gw, "/hash").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
      String metrics = admin(gw, "/metrics");
      assertThat(metrics).contains("bulwark_blocking_rejected_total 1.0");
      assertThat(metrics).contains("bulwark_blocking_queue_depth 0.0");
      gw.awaitLine("\"status\":503", "\"route\":\"hash\"");
    }
  }

  private static CompletableFuture<HttpResponse<String>> send(
      HttpClient client, TestGateway gw, String path) {
    return client.sendAsync(
        HttpRequest.newBuilder(URI.create(gw.url(path))).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String admin(TestGateway gw, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gw.gateway().adminPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** Waits until the executor's queue holds {@code depth} tasks and one runs. */
  private static void awaitQueued(TestGateway gw, int depth) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    String want = "bulwark_blocking_queue_depth " + depth + ".0";
    String active = "bulwark_blocking_active_threads 1.0";
    while (System.nanoTime() < deadline) {
      String m = admin(gw, "/metrics");
      if (m.contains(want) && m.contains(active)) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the blocking queue never reached " + depth);
  }
}
