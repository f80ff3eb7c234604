package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One client's slow uploads cannot make another client's request to the same upstream fail: bodies
 * are read whole before an upstream connection is taken, a route that streams bodies still holds
 * each client address to its share of the pool, and a body that arrives slower than the minimum
 * upload rate is refused with 408. Clients are told apart by X-Forwarded-For from a trusted proxy.
 */
class SlowUploadTest {
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private TestGateway gateway(StubUpstream up, String limits) throws Exception {
    open.add(up);
    TestGateway gw =
        TestGateway.start(
            """
            trusted-proxies: [127.0.0.1/32]
            routes:
              - name: up
                public: true
                match: { path: /** }
                upstream: { url: "UPSTREAM", pool-size: 4 }
                limits: { connect-timeout: 1s, body-timeout: 20s%s }
            """
                .formatted(limits),
            up.port());
    open.add(0, gw);
    return gw;
  }

  /** A gateway whose route reads JSON bodies whole in its contract policy, at 1KiB/s at least. */
  private TestGateway contractGateway(StubUpstream up) throws Exception {
    open.add(up);
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("contract");
    java.nio.file.Path contract = dir.resolve("items.openapi.yaml");
    try (java.io.InputStream in =
        SlowUploadTest.class.getResourceAsStream("/contract/items.openapi.yaml")) {
      java.nio.file.Files.write(contract, java.util.Objects.requireNonNull(in).readAllBytes());
    }
    TestGateway gw =
        TestGateway.start(
            """
            routes:
              - name: api
                public: true
                match: { path: /api/** }
                upstream: UPSTREAM
                contract: { file: CONTRACT }
                limits: { body-timeout: 30s, min-upload-rate: 1KiB }
            """
                .replace("CONTRACT", contract.toString()),
            up.port());
    open.add(0, gw);
    return gw;
  }

  /** A POST of 100 bytes from {@code client} that sends only its first 10 until it is told to. */
  private static final class SlowUpload implements AutoCloseable {
    final SSLSocket socket;

    SlowUpload(TestGateway gw, String client, String path) throws IOException {
      socket = gw.rawSocket();
      socket
          .getOutputStream()
          .write(
              ("POST "
                      + path
                      + " HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-For: "
                      + client
                      + "\r\nContent-Length: 100\r\n\r\n"
                      + "x".repeat(10))
                  .getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
    }

    /** Sends the other 90 bytes and returns the response's status line. */
    String finish() throws IOException {
      OutputStream out = socket.getOutputStream();
      out.write("y".repeat(90).getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return statusLine();
    }

    /** Reads the response's status line (empty when the connection ends first). */
    String statusLine() {
      StringBuilder sb = new StringBuilder();
      try {
        int b;
        while ((b = socket.getInputStream().read()) >= 0 && b != '\n') {
          if (b != '\r') {
            sb.append((char) b);
          }
        }
      } catch (IOException e) {
        // closed or reset: what arrived is the answer
      }
      return sb.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private static HttpResponse<String> getAs(TestGateway gw, String client, String path)
      throws Exception {
    return gw.client()
        .send(
            HttpRequest.newBuilder(URI.create(gw.url(path)))
                .header("X-Forwarded-For", client)
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Writes {@code b} ten times a second (far below 1KiB/s), at most {@code times} times, until the
   * answer {@code read} returns has come; asserts it is a 408 that came well before body-timeout.
   */
  private static void trickleUntilRefused(
      OutputStream out, char b, int times, Supplier<String> read) throws Exception {
    long start = System.nanoTime();
    CompletableFuture<String> answer = CompletableFuture.supplyAsync(read);
    for (int i = 0; i < times && !answer.isDone(); i++) {
      try {
        out.write(b);
        out.flush();
      } catch (IOException e) {
        break; // the gateway closed the connection after its answer
      }
      Thread.sleep(100);
    }
    assertThat(answer.get(5, TimeUnit.SECONDS)).startsWith("HTTP/1.1 408");
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(ms).as("refused after the grace, well before body-timeout").isLessThan(10_000);
  }

  /**
   * Asserts the access log names {@code path} as refused for its slow body, and no request got
   * through.
   */
  private static void assertRefusedAsTooSlow(TestGateway gw, StubUpstream up, String path)
      throws Exception {
    gw.awaitLine(
        "\"path\":\"" + path + "\"",
        "\"status\":408",
        "body arriving slower than the route's minimum upload rate");
    assertThat(up.poll(200)).as("nothing reached the upstream").isNull();
  }

  /**
   * Sends a chunked HTTP/2 POST to {@code path}: {@code begin} sends its head, then {@code b} is
   * written ten times a second until the answer; returns its status (waiting at most {@code
   * seconds}).
   */
  private int trickleOverHttp2(
      TestGateway gw, String path, Consumer<HttpClientRequest> begin, String b, int seconds)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    open.add(vertx::close);
    HttpClient h2 =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setSsl(true)
                .setUseAlpn(true)
                .setTrustOptions(
                    new PemTrustOptions()
                        .addCertPath(TestGateway.certificate().certFile().toString())));
    HttpClientRequest req =
        h2.request(HttpMethod.POST, gw.httpsPort(), "localhost", path)
            .toCompletionStage()
            .toCompletableFuture()
            .get(5, TimeUnit.SECONDS);
    req.setChunked(true);
    CompletableFuture<Integer> status = new CompletableFuture<>();
    req.response().onSuccess(r -> status.complete(r.statusCode()));
    begin.accept(req);
    long timer =
        vertx.setPeriodic(
            100,
            id -> {
              if (!status.isDone()) {
                try {
                  req.write(Buffer.buffer(b));
                } catch (RuntimeException e) {
                  // the stream was reset after the answer
                }
              }
            });
    try {
      return status.get(seconds, TimeUnit.SECONDS);
    } finally {
      vertx.cancelTimer(timer);
    }
  }

  @Test
  void slowUploadsAreReadWholeAndLeaveThePoolToOtherClients() throws Exception {
    StubUpstream up = new StubUpstream();
    TestGateway gw = gateway(up, "");
    List<SlowUpload> uploads = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) { // twice the pool
        uploads.add(new SlowUpload(gw, "203.0.113.1", "/upload/" + i));
      }
      Thread.sleep(300);
      HttpResponse<String> other = getAs(gw, "203.0.113.2", "/other");
      assertThat(other.statusCode()).as("another client's request").isEqualTo(200);
      for (SlowUpload u : uploads) {
        assertThat(u.finish()).startsWith("HTTP/1.1 200");
      }
    } finally {
      for (SlowUpload u : uploads) {
        u.close();
      }
    }
    List<String> bodies = new ArrayList<>();
    StubUpstream.Received r;
    while ((r = up.poll(500)) != null) {
      if (r.method().equals("POST")) {
        bodies.add(r.body().toString());
        assertThat(r.headers().get("content-length")).isEqualTo("100");
      }
    }
    assertThat(bodies).hasSize(8).allMatch(b -> b.equals("x".repeat(10) + "y".repeat(90)));
  }

  @Test
  void aStreamingRouteHoldsEachClientToItsShareOfThePool() throws Exception {
    StubUpstream up = new StubUpstream();
    TestGateway gw = gateway(up, ", request-body: stream, upstream-per-client: 2");
    List<SlowUpload> uploads = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        uploads.add(new SlowUpload(gw, "203.0.113.1", "/upload/" + i));
        Thread.sleep(50); // in order: the first two take the client's share
      }
      Thread.sleep(300);
      HttpResponse<String> other = getAs(gw, "203.0.113.2", "/other");
      assertThat(other.statusCode()).as("another client's request").isEqualTo(200);
      // the uploads over the share waited the connect timeout for one of the client's own
      for (int i = 2; i < 6; i++) {
        assertThat(uploads.get(i).statusLine()).startsWith("HTTP/1.1 429");
      }
      for (int i = 0; i < 2; i++) {
        assertThat(uploads.get(i).finish()).startsWith("HTTP/1.1 200");
      }
    } finally {
      for (SlowUpload u : uploads) {
        u.close();
      }
    }
    gw.awaitLine("\"status\":429", "client holds its share of upstream connections");
  }

  @Test
  void aBodyTricklingSlowerThanTheMinimumRateIsRefusedWith408() throws Exception {
    StubUpstream up = new StubUpstream();
    TestGateway gw = gateway(up, ", min-upload-rate: 1KiB");
    try (SlowUpload u = new SlowUpload(gw, "203.0.113.1", "/trickle")) {
      trickleUntilRefused(u.socket.getOutputStream(), 'z', 80, u::statusLine);
    }
    assertRefusedAsTooSlow(gw, up, "/trickle");
  }

  @Test
  void aBodyTheContractReadsIsHeldToTheMinimumRateToo() throws Exception {
    StubUpstream up = new StubUpstream();
    TestGateway gw = contractGateway(up);
    try (SSLSocket s = gw.rawSocket()) {
      s.setSoTimeout(15_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /api/items HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                  + "Content-Length: 200\r\n\r\n{\"name\":\"")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      trickleUntilRefused(out, 'a', 150, () -> TestGateway.readAll(s));
    }
    assertRefusedAsTooSlow(gw, up, "/api/items");
  }

  @Test
  void aBodyTheContractReadsOverHttp2IsHeldToTheMinimumRateToo() throws Exception {
    StubUpstream up = new StubUpstream();
    TestGateway gw = contractGateway(up);
    int status =
        trickleOverHttp2(
            gw,
            "/api/items",
            req -> {
              req.putHeader("content-type", "application/json");
              req.write(Buffer.buffer("{\"name\":\""));
            },
            "a",
            12);
    assertThat(status).isEqualTo(408);
    gw.awaitLine("\"path\":\"/api/items\"", "\"status\":408");
    assertThat(up.poll(200)).as("nothing reached the upstream").isNull();
  }

  @Test
  void aSlowHttp2UploadIsRefusedWith408Too() throws Exception {
    StubUpstream up = new StubUpstream();
    TestGateway gw = gateway(up, ", request-body: stream, min-upload-rate: 1KiB");
    assertThat(trickleOverHttp2(gw, "/h2-trickle", HttpClientRequest::sendHead, "z", 10))
        .isEqualTo(408);
    gw.awaitLine("\"path\":\"/h2-trickle\"", "\"status\":408");
  }
}
