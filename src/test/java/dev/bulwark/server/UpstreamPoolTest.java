package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's own upstream connection pool, against a scripted raw upstream: keep-alive reuse
 * (and when not to reuse), a reused connection the upstream closed, HEAD and 1xx framing, waiting
 * for a free connection and giving up after the connect timeout.
 */
class UpstreamPoolTest {
  /** What the upstream does with one request: the bytes to answer, or null to close unanswered. */
  interface Script {
    @Nullable String answer(int connection, int request, String head) throws InterruptedException;
  }

  /** A raw HTTP/1.1 upstream that follows a script and counts its connections. */
  static final class ScriptedUpstream implements AutoCloseable {
    final ServerSocket server;
    final AtomicInteger connections = new AtomicInteger();

    ScriptedUpstream(Script script) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread t =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket s = server.accept();
                    int n = connections.incrementAndGet();
                    Thread c = new Thread(() -> serve(s, n, script));
                    c.setDaemon(true);
                    c.start();
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      t.setDaemon(true);
      t.start();
    }

    private static void serve(Socket s, int connection, Script script) {
      try (s) {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        for (int request = 1; ; request++) {
          String head = readRequest(in);
          if (head == null) {
            return;
          }
          String answer = script.answer(connection, request, head);
          if (answer == null) {
            return;
          }
          if (answer.equals(RESET)) {
            s.setSoLinger(true, 0); // close with a TCP reset
            return;
          }
          // PAUSE splits an answer into writes 50 ms apart (separate TCP segments)
          for (String part : answer.split(PAUSE, -1)) {
            out.write(part.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            if (!part.equals(answer)) {
              Thread.sleep(50);
            }
          }
        }
      } catch (IOException | InterruptedException e) {
        // the test looks at the gateway's answers
      }
    }

    /** Reads one request (head and any Content-Length body); null at end of stream. */
    private static @Nullable String readRequest(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          return null;
        }
        head.write(b);
        matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      String text = head.toString(StandardCharsets.ISO_8859_1);
      for (String line : text.split("\r\n", -1)) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          in.readNBytes(Integer.parseInt(line.substring(15).trim()));
        }
      }
      return text;
    }

    int port() {
      return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  static final String PAUSE = "<pause>";
  static final String RESET = "<reset>";

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private TestGateway gateway(ScriptedUpstream up, String extra) throws Exception {
    open.add(up);
    TestGateway gw =
        TestGateway.start(
            """
            routes:
              - name: up
                public: true
                match: { path: /** }
                upstream: { url: "UPSTREAM"%s }
            """
                .formatted(extra),
            up.port());
    open.add(0, gw);
    return gw;
  }

  @Test
  void sequentialRequestsShareOneKeptAliveConnection() throws Exception {
    ScriptedUpstream up = new ScriptedUpstream((c, r, head) -> OK);
    TestGateway gw = gateway(up, "");
    for (int i = 0; i < 5; i++) {
      assertThat(gw.get("/a").statusCode()).isEqualTo(200);
    }
    assertThat(up.connections.get()).isEqualTo(1);
  }

  @Test
  void aReusedConnectionTheUpstreamDroppedIsRetriedForAnIdempotentRequest() throws Exception {
    // The keep-alive race: the upstream closes an idle connection just as the gateway reuses it.
    ScriptedUpstream up = new ScriptedUpstream((c, r, head) -> c == 1 && r == 2 ? null : OK);
    TestGateway gw = gateway(up, "");
    assertThat(gw.get("/first").statusCode()).isEqualTo(200);
    HttpResponse<String> second = gw.get("/second");
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.body()).isEqualTo("ok");
    assertThat(up.connections.get()).isEqualTo(2);
  }

  @Test
  void aReusedConnectionTheUpstreamResetIsRetriedToo() throws Exception {
    ScriptedUpstream up = new ScriptedUpstream((c, r, head) -> c == 1 && r == 2 ? RESET : OK);
    TestGateway gw = gateway(up, "");
    assertThat(gw.get("/first").statusCode()).isEqualTo(200);
    assertThat(gw.get("/second").statusCode()).isEqualTo(200);
    assertThat(up.connections.get()).isEqualTo(2);
  }

  @Test
  void aFreshConnectionClosedUnansweredIsNotRetried() throws Exception {
    // Only a reused connection can have been closed by the keep-alive race.
    ScriptedUpstream up = new ScriptedUpstream((c, r, head) -> null);
    TestGateway gw = gateway(up, "");
    assertThat(gw.get("/a").statusCode()).isEqualTo(502);
    assertThat(up.connections.get()).isEqualTo(1);
  }

  @Test
  void aPostIsNeverSentTwice() throws Exception {
    ScriptedUpstream up = new ScriptedUpstream((c, r, head) -> c == 1 && r == 2 ? null : OK);
    TestGateway gw = gateway(up, "");
    assertThat(gw.get("/first").statusCode()).isEqualTo(200);
    HttpResponse<String> post =
        gw.client()
            .send(
                HttpRequest.newBuilder(URI.create(gw.url("/order")))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"n\":1}"))
                    .header("content-type", "application/json")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(502);
    assertThat(post.body()).contains("\"requestId\"");
    assertThat(up.connections.get()).isEqualTo(1);
  }

  @Test
  void connectionCloseFromTheUpstreamIsHonoured() throws Exception {
    ScriptedUpstream up =
        new ScriptedUpstream(
            (c, r, head) -> "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
    TestGateway gw = gateway(up, "");
    for (int i = 0; i < 3; i++) {
      assertThat(gw.get("/a").statusCode()).isEqualTo(200);
    }
    assertThat(up.connections.get()).isEqualTo(3);
  }

  @Test
  void anUpstreamKeepAliveTimeoutShorterThanOursIsHonoured() throws Exception {
    ScriptedUpstream up =
        new ScriptedUpstream(
            (c, r, head) ->
                "HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: 2\r\n\r\nok");
    TestGateway gw = gateway(up, "");
    assertThat(gw.get("/a").statusCode()).isEqualTo(200);
    Thread.sleep(50);
    assertThat(gw.get("/b").statusCode()).isEqualTo(200);
    assertThat(up.connections.get()).isEqualTo(2);
  }

  @Test
  void headAnswersAndInformationalHeadsKeepTheConnectionInStep() throws Exception {
    ScriptedUpstream up =
        new ScriptedUpstream(
            (c, r, head) ->
                head.startsWith("HEAD")
                    ? "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
                    : "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody");
    TestGateway gw = gateway(up, "");
    HttpResponse<String> head =
        gw.client()
            .send(
                HttpRequest.newBuilder(URI.create(gw.url("/h")))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("content-length")).hasValue("100");
    HttpResponse<String> get = gw.get("/g");
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.body()).isEqualTo("body");
    assertThat(up.connections.get()).isEqualTo(1);
  }

  @Test
  void bytesAfterAResponseRetireTheConnection() throws Exception {
    ScriptedUpstream up = new ScriptedUpstream((c, r, head) -> OK + "HTTP/1.1 200 OK\r\n");
    TestGateway gw = gateway(up, "");
    assertThat(gw.get("/a").body()).isEqualTo("ok");
    Thread.sleep(100);
    assertThat(gw.get("/b").body()).isEqualTo("ok");
    assertThat(up.connections.get()).isEqualTo(2);
  }

  @Test
  void bytesArrivingOnAnIdleConnectionRetireIt() throws Exception {
    // The stray start of a "response" must not wait in the decoder for the next exchange.
    ScriptedUpstream up = new ScriptedUpstream((c, r, head) -> OK + PAUSE + "HTTP/1.1 200 OK\r\n");
    TestGateway gw = gateway(up, "");
    assertThat(gw.get("/a").body()).isEqualTo("ok");
    Thread.sleep(200);
    assertThat(gw.get("/b").body()).isEqualTo("ok");
    assertThat(up.connections.get()).isEqualTo(2);
  }

  @Test
  void endlessInformationalHeadsEndInA504AtTheRouteTimeout() throws Exception {
    // 1xx heads are skipped but do not count as an answer: the head deadline still runs.
    ScriptedUpstream up =
        new ScriptedUpstream((c, r, head) -> ("HTTP/1.1 100 Continue\r\n\r\n" + PAUSE).repeat(100));
    open.add(up);
    TestGateway gw =
        TestGateway.start(
            """
            routes:
              - name: up
                public: true
                match: { path: /** }
                upstream: UPSTREAM
                limits: { timeout: 500ms }
            """,
            up.port());
    open.add(0, gw);
    long t0 = System.nanoTime();
    assertThat(gw.get("/a").statusCode()).isEqualTo(504);
    assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(400L, 3000L);
  }

  @Test
  void aResponseHeadOverTheLimitIsABadGateway() throws Exception {
    String huge = "x".repeat(70 * 1024);
    ScriptedUpstream up =
        new ScriptedUpstream(
            (c, r, head) ->
                "HTTP/1.1 200 OK\r\nX-Big: " + huge + "\r\nContent-Length: 2\r\n\r\nok");
    TestGateway gw = gateway(up, "");
    HttpResponse<String> res = gw.get("/a");
    assertThat(res.statusCode()).isEqualTo(502);
    assertThat(res.body()).doesNotContain("xxxx");
  }

  @Test
  void switchingProtocolsUnaskedIsABadGateway() throws Exception {
    ScriptedUpstream up =
        new ScriptedUpstream(
            (c, r, head) -> "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n");
    TestGateway gw = gateway(up, "");
    assertThat(gw.get("/a").statusCode()).isEqualTo(502);
  }

  @Test
  void requestsBeyondThePoolSizeWaitForAFreeConnection() throws Exception {
    ScriptedUpstream up =
        new ScriptedUpstream(
            (c, r, head) -> {
              Thread.sleep(100);
              return OK;
            });
    TestGateway gw = gateway(up, ", pool-size: 1");
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      all.add(
          gw.client()
              .sendAsync(
                  HttpRequest.newBuilder(URI.create(gw.url("/w" + i))).build(),
                  HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> f : all) {
      assertThat(f.get().statusCode()).isEqualTo(200);
    }
    assertThat(up.connections.get()).isEqualTo(1);
  }

  @Test
  void waitingLongerThanTheConnectTimeoutIs504() throws Exception {
    java.util.concurrent.CountDownLatch slowArrived = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    ScriptedUpstream up =
        new ScriptedUpstream(
            (c, r, head) -> {
              if (head.contains("/slow")) {
                slowArrived.countDown();
                release.await(30, java.util.concurrent.TimeUnit.SECONDS);
              }
              return OK;
            });
    open.add(up);
    TestGateway gw =
        TestGateway.start(
            """
            routes:
              - name: up
                public: true
                match: { path: /** }
                upstream: { url: "UPSTREAM", pool-size: 1 }
                limits: { connect-timeout: 300ms }
            """,
            up.port());
    open.add(0, gw);
    CompletableFuture<HttpResponse<String>> slow =
        gw.client()
            .sendAsync(
                HttpRequest.newBuilder(URI.create(gw.url("/slow"))).build(),
                HttpResponse.BodyHandlers.ofString());
    // the one pooled connection is busy with /slow (held until released below)
    assertThat(slowArrived.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    long t0 = System.nanoTime();
    HttpResponse<String> waiting = gw.get("/waits");
    long waitedMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(waiting.statusCode()).isEqualTo(504);
    assertThat(waitedMs).isGreaterThanOrEqualTo(250L);
    assertThat(slow.isDone()).as("answered 504 while /slow still held the connection").isFalse();
    release.countDown();
    assertThat(slow.get().statusCode()).isEqualTo(200);
    assertThat(gw.awaitLine("upstream-failure")).isNotNull();
  }
}
