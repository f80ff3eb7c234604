package dev.bulwark.audit.alert;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local webhook receiver (the JDK's HTTP server on 127.0.0.1) that answers every request with a
 * fixed status, or hangs without answering until closed; it records what it received.
 */
public final class WebhookReceiver implements AutoCloseable {
  /** One request received. */
  public record Received(
      String signature, String alertId, String contentType, String extra, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** Answer with this status; {@link #HANG} never answers. */
  static final int HANG = -1;

  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final AtomicInteger attempts = new AtomicInteger();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private volatile int status;

  public WebhookReceiver(int status) throws IOException {
    this.status = status;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(pool);
    server.createContext(
        "/hook",
        ex -> {
          attempts.incrementAndGet();
          byte[] body;
          try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
          }
          received.add(
              new Received(
                  String.valueOf(ex.getRequestHeaders().getFirst("Bulwark-Signature")),
                  String.valueOf(ex.getRequestHeaders().getFirst("Bulwark-Alert-Id")),
                  String.valueOf(ex.getRequestHeaders().getFirst("Content-Type")),
                  String.valueOf(ex.getRequestHeaders().getFirst("X-Team")),
                  body));
          int s = this.status;
          if (s == HANG) {
            try {
              closed.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            ex.close();
            return;
          }
          ex.sendResponseHeaders(s, -1);
          ex.close();
        });
    server.start();
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  void answer(int status) {
    this.status = status;
  }

  int attempts() {
    return attempts.get();
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
    pool.shutdownNow();
  }
}
