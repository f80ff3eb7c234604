package dev.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An upstream that answers (401) before reading a request body of unknown length that the route
 * streams ({@code request-body: stream}), and closes: the answer reaches the client on HTTP/1.1
 * (then the connection closes) and on HTTP/2 (then the stream is reset with NO_ERROR, RFC 9113
 * §8.1), never a 502, and an upstream that closes without answering gets a 502 whose logged reason
 * says so.
 */
class EarlyAnswerTest {
  static final String ANSWER =
      "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n"
          + "{\"error\":\"nope\"}";

  /** A raw upstream that reads a request head, then answers (or not) and closes, body unread. */
  static final class Refuser implements AutoCloseable {
    final ServerSocket server;

    Refuser(boolean answer) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread t =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket s = server.accept();
                    Thread c = new Thread(() -> serve(s, answer));
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

    private static void serve(Socket s, boolean answer) {
      try (s) {
        InputStream in = s.getInputStream();
        int matched = 0;
        while (matched < 4) {
          int b = in.read();
          if (b < 0) {
            return;
          }
          matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        Thread.sleep(20); // some of the body is on its way, and stays unread
        if (answer) {
          OutputStream out = s.getOutputStream();
          out.write(ANSWER.getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
        }
        // closing with the body unread: the kernel answers the gateway's next bytes with a reset
      } catch (IOException | InterruptedException e) {
        // the test looks at the gateway's answer
      }
    }

    int port() {
      return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  static Refuser answering;
  static Refuser silent;
  static TestGateway gw;
  static Vertx vertx;
  static HttpClient h2;

  @BeforeAll
  static void start() throws Exception {
    answering = new Refuser(true);
    silent = new Refuser(false);
    gw =
        TestGateway.start(
            """
            defaults:
              # streamed, so the upstream sees the request while its body is still on its way
              limits: { body: 64MiB, request-body: stream }
            routes:
              - name: refuses
                public: true
                match: { path: /refuses/** }
                upstream: http://127.0.0.1:%d
              - name: silent
                public: true
                match: { path: /silent/** }
                upstream: http://127.0.0.1:%d
            """
                .formatted(answering.port(), silent.port()),
            0);
    vertx = Vertx.vertx();
    h2 =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setSsl(true)
                .setUseAlpn(true)
                .setTrustOptions(
                    new PemTrustOptions()
                        .addCertPath(TestGateway.certificate().certFile().toString())));
  }

  @AfterAll
  static void stop() throws IOException {
    vertx.close();
    gw.close();
    answering.close();
    silent.close();
  }

  /** What an HTTP/2 upload that keeps sending until it is answered got back. */
  record Outcome(int status, String body, @Nullable Throwable requestError) {}

  /** POSTs over HTTP/2 without a length, writing 16 KiB every millisecond until the answer. */
  private static Outcome streamingUpload(String path) throws Exception {
    CompletableFuture<Throwable> requestError = new CompletableFuture<>();
    CompletableFuture<Outcome> answer = new CompletableFuture<>();
    HttpClientRequest req =
        h2.request(HttpMethod.POST, gw.httpsPort(), "localhost", path)
            .toCompletionStage()
            .toCompletableFuture()
            .get(5, TimeUnit.SECONDS);
    assertThat(req.version()).isEqualTo(HttpVersion.HTTP_2);
    req.setChunked(true); // no content-length: the gateway streams the body
    req.exceptionHandler(requestError::complete);
    req.response()
        .compose(res -> res.body().map(b -> new Outcome(res.statusCode(), b.toString(), null)))
        .onSuccess(answer::complete)
        .onFailure(answer::completeExceptionally);
    Buffer chunk = Buffer.buffer(new byte[16 * 1024]);
    req.sendHead();
    long timer =
        vertx.setPeriodic(
            1,
            id -> {
              if (!answer.isDone() && !requestError.isDone() && !req.writeQueueFull()) {
                try {
                  req.write(chunk);
                } catch (RuntimeException e) {
                  // the stream closed between the check and the write
                }
              }
            });
    try {
      Outcome o = answer.get(10, TimeUnit.SECONDS);
      Throwable error;
      try {
        error = requestError.get(5, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        error = e; // the upload was left hanging
      }
      return new Outcome(o.status(), o.body(), error);
    } finally {
      vertx.cancelTimer(timer);
    }
  }

  @Test
  void anEarlyAnswerReachesAnHttp2ClientAndTheStreamEndsWithNoError() throws Exception {
    for (int i = 0; i < 10; i++) {
      Outcome o = streamingUpload("/refuses/upload-" + i);
      assertThat(o.status()).as("try %d", i).isEqualTo(401);
      assertThat(o.body()).isEqualTo("{\"error\":\"nope\"}");
      assertThat(o.requestError())
          .as("the rest of the upload is refused with RST_STREAM(NO_ERROR)")
          .isInstanceOfSatisfying(
              StreamResetException.class, e -> assertThat(e.getCode()).isZero());
      gw.awaitLine("\"path\":\"/refuses/upload-" + i + "\"", "\"status\":401");
    }
  }

  @Test
  void anEarlyAnswerReachesAnHttp1ClientAndTheConnectionCloses() throws Exception {
    for (int i = 0; i < 5; i++) {
      try (SSLSocket s = gw.rawSocket()) {
        OutputStream out = s.getOutputStream();
        out.write(
            ("POST /refuses/h1-"
                    + i
                    + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        Thread writer =
            new Thread(
                () -> {
                  byte[] chunk =
                      ("4000\r\n" + "x".repeat(0x4000) + "\r\n")
                          .getBytes(StandardCharsets.ISO_8859_1);
                  try {
                    for (int n = 0; n < 2000; n++) {
                      out.write(chunk);
                      Thread.sleep(1);
                    }
                  } catch (IOException | InterruptedException e) {
                    // the gateway closed the connection after its answer
                  }
                });
        writer.setDaemon(true);
        writer.start();
        String res = TestGateway.readAll(s);
        assertThat(res).as("try %d", i).startsWith("HTTP/1.1 401").endsWith("{\"error\":\"nope\"}");
        assertThat(res.substring(0, res.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT))
            .as("the answer says the connection ends")
            .contains("\r\nconnection: close");
        writer.join(10_000);
        assertThat(writer.isAlive()).as("the connection closed after the answer").isFalse();
      }
      gw.awaitLine("\"path\":\"/refuses/h1-" + i + "\"", "\"status\":401");
    }
  }

  @Test
  void anUpstreamThatClosesWithoutAnsweringIsA502WithItsTrueReason() throws Exception {
    Outcome o = streamingUpload("/silent/upload");
    assertThat(o.status()).isEqualTo(502);
    assertThat(o.requestError())
        .isInstanceOfSatisfying(StreamResetException.class, e -> assertThat(e.getCode()).isZero());
    String line = gw.awaitLine("\"path\":\"/silent/upload\"", "\"status\":502");
    assertThat(line).contains("\"reason\":\"upstream closed the connection before answering");
  }
}
