package dev.bulwark.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real gateway in its own JVM ({@code bulwark run}), for tests that {@code kill -9} it: started
 * on free ports with a configuration body (as {@link TestGateway#yaml} takes it), its output kept
 * in a log file beside the configuration, and ready once it says its listeners are bound and its
 * admin listener accepts connections.
 */
public final class GatewayProcess {
  private static final String STARTED = "bulwark: https on port";
  private final Process process;
  private final int adminPort;
  private final Path log;

  private GatewayProcess(Process process, int adminPort, Path log) {
    this.process = process;
    this.adminPort = adminPort;
    this.log = log;
  }

  /**
   * Writes {@code body} as {@code dir/bulwark.yaml} (upstream on an unused port, the redirect
   * listener off), starts {@code bulwark run} on it, and waits (up to 60 s) until its admin
   * listener answers; the process's output goes to {@code dir/gateway-NAME.log}.
   */
  public static GatewayProcess start(Path dir, String body, String name) throws Exception {
    int[] ports = twoFreePorts();
    int https = ports[0];
    int admin = ports[1];
    Path config = dir.resolve("bulwark.yaml");
    String yaml =
        TestGateway.yaml(body, 9)
            .replace("https: 127.0.0.1:0", "https: 127.0.0.1:" + https)
            .replace("admin: 127.0.0.1:0", "admin: 127.0.0.1:" + admin)
            .replace("  http: 127.0.0.1:0\n", "");
    Files.writeString(config, yaml);
    Path log = dir.resolve("gateway-" + name + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Xmx192m",
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    "-Xshare:auto",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "dev.bulwark.cli.Main",
                    "run",
                    "--no-watch",
                    "-c",
                    config.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("gateway process exited: " + Files.readString(log));
      }
      // The line `bulwark run` prints once every listener is bound (its shutdown hook is in place
      // from before the start, so a SIGTERM at any time closes the gateway cleanly).
      if (Files.readString(log).contains(STARTED)) {
        try (Socket s = new Socket("127.0.0.1", admin)) {
          return new GatewayProcess(p, admin, log);
        } catch (IOException notYet) {
          // listening, by the line: try again
        }
      }
      Thread.sleep(25);
    }
    p.destroyForcibly();
    throw new IllegalStateException("gateway process did not start: " + Files.readString(log));
  }

  /** Returns an HTTP/1.1 client for the admin listener. */
  public static HttpClient client() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .build();
  }

  /** Returns the admin listener's port. */
  public int adminPort() {
    return adminPort;
  }

  /** Returns the process's output so far. */
  public String log() throws IOException {
    return Files.readString(log);
  }

  /** Returns a request to the admin listener with a JSON body. */
  public HttpRequest request(String method, String path, String body, Duration timeout) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
        .timeout(timeout)
        .header("content-type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  /**
   * Writes {@code body} as {@code dir/bulwark.yaml}, starts {@code bulwark run} on it, and sends
   * SIGTERM as soon as {@code ready} holds (polled every 5 ms), before the gateway says it is up;
   * returns the process's output once it ended (within 60 s).
   */
  public static String terminateDuringStart(
      Path dir, String body, String name, java.util.function.BooleanSupplier ready)
      throws Exception {
    Path config = dir.resolve("bulwark.yaml");
    int[] ports = twoFreePorts();
    String yaml =
        TestGateway.yaml(body, 9)
            .replace("https: 127.0.0.1:0", "https: 127.0.0.1:" + ports[0])
            .replace("admin: 127.0.0.1:0", "admin: 127.0.0.1:" + ports[1])
            .replace("  http: 127.0.0.1:0\n", "");
    Files.writeString(config, yaml);
    Path log = dir.resolve("gateway-" + name + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Xmx192m",
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "dev.bulwark.cli.Main",
                    "run",
                    "--no-watch",
                    "-c",
                    config.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!ready.getAsBoolean() && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    p.destroy();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("gateway process did not end: " + Files.readString(log));
    }
    return Files.readString(log);
  }

  /** Sends SIGKILL and waits for the process to end; returns whether it did within 10 s. */
  public boolean kill() throws InterruptedException {
    process.destroyForcibly();
    return process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Sends SIGTERM (a clean shutdown) and waits; returns whether it ended within 20 s. */
  public boolean stop() throws InterruptedException {
    process.destroy();
    return process.waitFor(20, TimeUnit.SECONDS);
  }

  /**
   * Fires {@code burst} concurrent {@code POST /bans} (addresses {@code 10.ROUND.x.y}), sends
   * SIGKILL at a random moment (in even rounds just after the first acknowledgement), and returns
   * the addresses whose ban was acknowledged with {@code 201} before the kill.
   */
  public Set<String> killDuringBanBurst(HttpClient http, int round, int burst) throws Exception {
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    Set<String> acked = ConcurrentHashMap.newKeySet();
    CompletableFuture<Void> first = new CompletableFuture<>();
    for (int i = 0; i < burst; i++) {
      String address = "10." + round + "." + (i / 200) + "." + (i % 200 + 1);
      calls.add(
          http.sendAsync(
                  request(
                      "POST",
                      "/bans",
                      "{\"address\":\"" + address + "\",\"reason\":\"crash test\"}",
                      Duration.ofSeconds(5)),
                  HttpResponse.BodyHandlers.ofString())
              .whenComplete(
                  (r, e) -> {
                    if (r != null && r.statusCode() == 201) {
                      acked.add(address);
                      first.complete(null);
                    }
                  }));
    }
    if (round % 2 == 0) {
      try {
        first.get(5, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        // none acknowledged yet: kill now anyway
      }
      Thread.sleep(ThreadLocalRandom.current().nextInt(0, 15));
    } else {
      Thread.sleep(ThreadLocalRandom.current().nextInt(0, 120));
    }
    if (!kill()) {
      throw new IllegalStateException("the gateway process did not end after SIGKILL");
    }
    for (CompletableFuture<HttpResponse<String>> c : calls) {
      try {
        c.get(10, TimeUnit.SECONDS);
      } catch (ExecutionException refusedOrCut) {
        // the kill cut it: not acknowledged
      }
    }
    return Set.copyOf(acked);
  }

  /**
   * Returns two free ports, different: both sockets are held open while the second is chosen (two
   * calls one after the other may be handed the same port again).
   */
  private static int[] twoFreePorts() throws IOException {
    try (ServerSocket a = new ServerSocket(0);
        ServerSocket b = new ServerSocket(0)) {
      return new int[] {a.getLocalPort(), b.getLocalPort()};
    }
  }
}
