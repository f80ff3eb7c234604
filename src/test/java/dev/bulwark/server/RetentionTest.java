package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Finished exchanges must not stay reachable: a timer that outlives its exchange once kept every
 * exchange of the last 30 s alive and ran the gateway out of memory under load (bench/run found
 * it). Thousands of exchanges through a route with a long timeout must leave the heap where it was,
 * within a margin far below what they would hold if retained.
 */
class RetentionTest {
  private static final int REQUESTS = 6000;

  private static long usedAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
      best = Math.min(best, rt.totalMemory() - rt.freeMemory());
    }
    return best;
  }

  @Test
  void finishedExchangesAreNotRetainedByTimers() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        TestGateway gw =
            TestGateway.start(
                """
                routes:
                  - name: api
                    public: true
                    match: { path: /** }
                    upstream: UPSTREAM
                    limits: { timeout: 5m }
                """,
                upstream.port())) {
      // A /raw/ path: the stub answers without recording, so only the gateway could retain.
      upstream.on("/raw/warm", r -> r.response().end("{}"));
      HttpClient client = gw.client();
      HttpRequest req = HttpRequest.newBuilder(URI.create(gw.url("/raw/warm"))).build();
      for (int i = 0; i < 200; i++) {
        client.send(req, HttpResponse.BodyHandlers.discarding());
      }
      long before = usedAfterGc();
      int batch = 50;
      for (int i = 0; i < REQUESTS; i += batch) {
        List<CompletableFuture<HttpResponse<Void>>> inFlight = new ArrayList<>();
        for (int j = 0; j < batch; j++) {
          inFlight.add(client.sendAsync(req, HttpResponse.BodyHandlers.discarding()));
        }
        for (CompletableFuture<HttpResponse<Void>> f : inFlight) {
          assertThat(f.get().statusCode()).isEqualTo(200);
        }
      }
      long after = usedAfterGc();
      // Retained, 6000 exchanges with their requests, responses and headers hold well over 20MB.
      assertThat(after - before).as("heap growth over %d exchanges", REQUESTS).isLessThan(8L << 20);
    }
  }
}
