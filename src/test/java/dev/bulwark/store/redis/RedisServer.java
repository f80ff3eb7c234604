package dev.bulwark.store.redis;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A private redis-server on an ephemeral port that a test may stop and start again (the shared one
 * on 6379 is left alone). Skips the test when redis-server is not installed.
 */
final class RedisServer implements AutoCloseable {
  private final int port;
  private @org.jspecify.annotations.Nullable Process process;

  private RedisServer(int port) {
    this.port = port;
  }

  static RedisServer start() throws Exception {
    boolean installed =
        Files.isExecutable(Path.of("/usr/bin/redis-server"))
            || Files.isExecutable(Path.of("/usr/local/bin/redis-server"));
    Assumptions.assumeTrue(installed, "redis-server is not installed (.ci/run installs it)");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    RedisServer r = new RedisServer(port);
    r.up();
    return r;
  }

  int port() {
    return port;
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  void up() throws Exception {
    process =
        new ProcessBuilder(
                "redis-server",
                "--port",
                String.valueOf(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("redis-server did not start on " + port);
  }

  void down() throws InterruptedException {
    Process p = process;
    if (p != null) {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() throws InterruptedException {
    down();
  }
}
